import fc from 'fast-check';
import { getCountries, getExampleNumber, parsePhoneNumber, type PhoneNumber } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import {
  isSupportedRegion,
  normalizeDialpadNumber,
  normalizePhoneNumber,
  type PhoneNormalizationFailureReason,
} from '../../src/phone/normalize';

type Expected = { e164: string; extension?: string } | { reason: PhoneNormalizationFailureReason };

// [raw as typed, account default region, expected]
const SPELLINGS: [string, string, Expected][] = [
  // United States
  ['(415) 555-2671', 'US', { e164: '+14155552671' }],
  ['415.555.2671', 'US', { e164: '+14155552671' }],
  ['415-555-2671', 'US', { e164: '+14155552671' }],
  ['4155552671', 'US', { e164: '+14155552671' }],
  ['1-415-555-2671', 'US', { e164: '+14155552671' }],
  ['1 (415) 555-2671', 'US', { e164: '+14155552671' }],
  ['+1 415 555 2671', 'US', { e164: '+14155552671' }],
  ['+1-415-555-2671', 'GB', { e164: '+14155552671' }],
  ['＋１ ４１５ ５５５ ２６７１', 'US', { e164: '+14155552671' }],
  ['+1 415 555 2671 x12', 'US', { e164: '+14155552671', extension: '12' }],
  ['(415) 555-2671 x 12', 'US', { e164: '+14155552671', extension: '12' }],
  ['415-555-2671 ext. 5', 'US', { e164: '+14155552671', extension: '5' }],
  ['415 555 2671 ext5', 'US', { e164: '+14155552671', extension: '5' }],
  ['(415) 555-2671 #5', 'US', { e164: '+14155552671', extension: '5' }],
  ['+14155552671;ext=5', 'US', { e164: '+14155552671', extension: '5' }],
  ['tel:+1-415-555-2671;ext=5', 'US', { e164: '+14155552671', extension: '5' }],
  ['+1 (415) 555-2671 extension 12', 'US', { e164: '+14155552671', extension: '12' }],
  ['1-800-FLOWERS', 'US', { e164: '+18003569377' }],
  ['800-GOT-MILK', 'US', { e164: '+18004686455' }],
  ['011 44 20 7946 0958', 'US', { e164: '+442079460958' }],
  ['0044 20 7946 0958', 'US', { e164: '+442079460958' }],
  ['555-2671', 'US', { reason: 'too_short' }],
  ['911', 'US', { reason: 'too_short' }],
  ['+1 555 555 5555', 'US', { reason: 'invalid' }],
  ['(415) 555-2671 / (415) 555-2672', 'US', { reason: 'multiple_numbers' }],

  // United Kingdom
  ['020 7946 0958', 'GB', { e164: '+442079460958' }],
  ['02079460958', 'GB', { e164: '+442079460958' }],
  ['0 20 7946 0958', 'GB', { e164: '+442079460958' }],
  ['+44 20 7946 0958', 'GB', { e164: '+442079460958' }],
  ['+44 (0)20 7946 0958', 'GB', { e164: '+442079460958' }],
  ['+44 020 7946 0958', 'US', { e164: '+442079460958' }],
  ['0044 20 7946 0958', 'GB', { e164: '+442079460958' }],
  ['0044 (0)20 7946 0958', 'GB', { e164: '+442079460958' }],
  ['44 20 7946 0958', 'GB', { e164: '+442079460958' }],
  ['020 7946 0958 ext 123', 'GB', { e164: '+442079460958', extension: '123' }],
  ['+44 20 7946 0958 ext. 123', 'US', { e164: '+442079460958', extension: '123' }],
  ['07400 123456', 'GB', { e164: '+447400123456' }],
  ['Mob: 07400 123456', 'GB', { e164: '+447400123456' }],
  ['020 7946 0958 (reception)', 'GB', { e164: '+442079460958' }],
  ['07400 123456 / 020 7946 0958', 'GB', { reason: 'multiple_numbers' }],
  // Ofcom's range reserved for drama: the right length, never assigned.
  ['07700 900123', 'GB', { reason: 'invalid' }],
  ['020 7946 095', 'GB', { reason: 'invalid' }],
  ['020 7946 09588', 'GB', { reason: 'too_long' }],
  ['999', 'GB', { reason: 'too_short' }],
  ['+44', 'GB', { reason: 'too_short' }],
  // A UK number typed nationally in a US account cannot be told from a mistyped US one.
  ['020 7946 0958', 'US', { reason: 'too_long' }],

  // Australia
  ['02 9374 4000', 'AU', { e164: '+61293744000' }],
  ['(02) 9374 4000', 'AU', { e164: '+61293744000' }],
  ['0412 345 678', 'AU', { e164: '+61412345678' }],
  ['0412345678', 'AU', { e164: '+61412345678' }],
  ['+61 412 345 678', 'AU', { e164: '+61412345678' }],
  ['+61 (0)412 345 678', 'GB', { e164: '+61412345678' }],
  ['1300 655 506', 'AU', { e164: '+611300655506' }],
  ['0011 44 20 7946 0958', 'AU', { e164: '+442079460958' }],
  ['0044 20 7946 0958', 'AU', { e164: '+442079460958' }],
  // Australia's carrier prefix 0016 would read this as Germany (+49 2311234); written "00" + 1 649 it is Turks and Caicos.
  ['001 649 231 1234', 'AU', { e164: '+16492311234' }],
  ['000', 'AU', { reason: 'too_short' }],
  ['0412 345 678', 'GB', { reason: 'invalid' }],
  ['1 415 555 2671', 'AU', { reason: 'invalid_length' }],

  // Germany
  ['030 901820', 'DE', { e164: '+4930901820' }],
  ['+49 (0)30 901820', 'DE', { e164: '+4930901820' }],
  ['0049 30 901820', 'FR', { e164: '+4930901820' }],
  ['089/1234567', 'DE', { e164: '+49891234567' }],
  ['(089) 123 456 7', 'DE', { e164: '+49891234567' }],
  // German direct-dial suffix: part of the number, not an extension.
  ['030 901820-12', 'DE', { e164: '+493090182012' }],
  ['0171 1234567', 'DE', { e164: '+491711234567' }],
  ['+49 171 1234567', 'GB', { e164: '+491711234567' }],
  ['0800 330 8000', 'DE', { e164: '+498003308000' }],
  ['112', 'DE', { reason: 'too_short' }],
  ['+49 30 1', 'DE', { reason: 'too_short' }],

  // France
  ['01 42 68 53 00', 'FR', { e164: '+33142685300' }],
  ['01.42.68.53.00', 'FR', { e164: '+33142685300' }],
  ['06 12 34 56 78', 'FR', { e164: '+33612345678' }],
  ['06-12-34-56-78', 'FR', { e164: '+33612345678' }],
  ['+33 (0)6 12 34 56 78', 'GB', { e164: '+33612345678' }],
  ['0033 6 12 34 56 78', 'DE', { e164: '+33612345678' }],
  ['01 42 68 53 00 poste 12', 'FR', { e164: '+33142685300', extension: '12' }],
  ['06 12 34 56 78', 'US', { reason: 'invalid' }],
  ['15', 'FR', { reason: 'too_short' }],

  // Not numbers at all
  ['', 'US', { reason: 'empty' }],
  ['   ', 'GB', { reason: 'empty' }],
  ['n/a', 'GB', { reason: 'not_a_number' }],
  ['abc', 'US', { reason: 'not_a_number' }],
  ['see notes', 'US', { reason: 'not_a_number' }],
  ['x12', 'US', { reason: 'not_a_number' }],
  ['555 HOME', 'US', { reason: 'not_a_number' }],
  ['+999 1234 5678', 'US', { reason: 'invalid_country' }],
  ['415 555 2671', 'XX', { reason: 'invalid_country' }],
  ['+1 415 555 2671', 'XX', { e164: '+14155552671' }],
  ['123456789012345678901', 'US', { reason: 'too_long' }],
];

describe('normalizePhoneNumber', () => {
  it.each(SPELLINGS)('%j in %s', (raw, region, expected) => {
    const result = normalizePhoneNumber(raw, region);
    if ('e164' in expected) {
      // Shows the whole failure when a number that should be read was not.
      expect(result.ok ? { e164: result.e164, extension: result.extension } : result).toEqual(expected);
    } else {
      expect(result).toEqual({ ok: false, reason: expected.reason, message: expect.any(String) });
    }
  });

  it('reports the country and type of the number, not of the account', () => {
    expect(normalizePhoneNumber('+44 20 7946 0958', 'US')).toEqual({
      ok: true,
      e164: '+442079460958',
      country: 'GB',
      type: 'FIXED_LINE',
    });
    expect(normalizePhoneNumber('0412 345 678', 'AU')).toMatchObject({ country: 'AU', type: 'MOBILE' });
  });

  it('treats null and undefined as empty', () => {
    expect(normalizePhoneNumber(null, 'US')).toMatchObject({ ok: false, reason: 'empty' });
    expect(normalizePhoneNumber(undefined, 'US')).toMatchObject({ ok: false, reason: 'empty' });
  });

  it('reads the default region case-insensitively', () => {
    expect(normalizePhoneNumber('020 7946 0958', 'gb')).toMatchObject({ ok: true, e164: '+442079460958' });
  });

  it('tells the user that a national number was read in the account region', () => {
    const result = normalizePhoneNumber('020 7946 0958', 'US');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/account's region \(US\).*\+ and its country code/);
  });
});

describe('isSupportedRegion', () => {
  it('knows the regions libphonenumber has numbering plans for', () => {
    expect(['GB', 'us', 'AU', 'DE', 'FR'].map(isSupportedRegion)).toEqual([true, true, true, true, true]);
    expect(['XX', 'UK', 'EU', ''].map(isSupportedRegion)).toEqual([false, false, false, false]);
  });
});

describe('normalizeDialpadNumber', () => {
  it.each([
    ['+15105105100', '+15105105100'],
    ['+1 510 510 5100', '+15105105100'],
    ['+15105105100;ext=12', '+15105105100'],
    ['+442079460958', '+442079460958'],
    // Possible but in no range the metadata knows: kept, since it came from the network.
    ['+15555555555', '+15555555555'],
    ['1234', null],
    ['(510) 666-6687', null],
    ['+1911', null],
    ['anonymous', null],
    ['', null],
    [null, null],
    [undefined, null],
  ])('%j → %j', (raw, expected) => {
    expect(normalizeDialpadNumber(raw)).toBe(expected);
  });

  it('reads a formatted national number only with a region', () => {
    expect(normalizeDialpadNumber('(510) 666-6687', 'US')).toBe('+15106666687');
    expect(normalizeDialpadNumber('6687', 'US')).toBeNull();
  });
});

// Every country's example mobile number from libphonenumber's metadata, valid by construction.
const EXAMPLES: PhoneNumber[] = getCountries()
  .map((country) => getExampleNumber(country, examples))
  .filter((n): n is PhoneNumber => n !== undefined && n.isValid());

const ACCOUNT_REGIONS = ['US', 'GB', 'AU', 'DE', 'FR'] as const;
const CALLING_CODES = ['1', '44', '61', '49', '33'] as const;

// Any valid number of the five main regions, found by drawing digits and keeping the valid ones.
const validNumber = fc
  .tuple(fc.constantFrom(...CALLING_CODES), fc.stringMatching(/^[1-9]\d{5,11}$/))
  .map(([code, digits]) => parsePhoneNumber(`+${code}${digits}`))
  .filter((n) => n.isValid());

// Rewrites the separators between digit groups the way people vary them.
const respaced = (formatted: string) =>
  fc
    .array(fc.constantFrom(' ', '-', '.', '', '  '), {
      minLength: formatted.length,
      maxLength: formatted.length,
    })
    .map((seps) => {
      let i = 0;
      return formatted.replace(/[ -]/g, () => seps[i++] ?? ' ');
    });

describe('normalizePhoneNumber properties', () => {
  it('formatting a valid number nationally, internationally or as 00… and reading it back gives its E.164', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...EXAMPLES), validNumber),
        fc.constantFrom(...ACCOUNT_REGIONS),
        fc.constantFrom('national', 'international', 'idd', 'e164', 'rfc3966'),
        (number, accountRegion, form) => {
          const country = number.country;
          if (country === undefined) return;
          // A national form only means something in the number's own region.
          const region = form === 'national' ? country : accountRegion;
          const text =
            form === 'national'
              ? number.formatNational()
              : form === 'international'
                ? number.formatInternational()
                : form === 'idd'
                  ? `00${number.formatInternational().slice(1)}`
                  : form === 'e164'
                    ? number.number
                    : number.format('RFC3966');
          expect(normalizePhoneNumber(text, region)).toMatchObject({ ok: true, e164: number.number });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('varying the separators of a formatted number does not change its reading', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...EXAMPLES), validNumber).chain((number) =>
          fc.tuple(
            fc.constant(number),
            fc
              .boolean()
              .chain((national) =>
                fc.tuple(
                  fc.constant(national),
                  respaced(national ? number.formatNational() : number.formatInternational()),
                ),
              ),
          ),
        ),
        ([number, [national, text]]) => {
          const region = national ? (number.country ?? 'US') : 'US';
          expect(normalizePhoneNumber(text, region)).toMatchObject({ ok: true, e164: number.number });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps any extension written after a valid number', () => {
    fc.assert(
      fc.property(
        validNumber,
        fc.constantFrom(' x', ' ext. ', ' ext', ' #', ';ext=', ' extension '),
        fc.stringMatching(/^[1-9]\d{0,5}$/),
        (number, marker, extension) => {
          expect(normalizePhoneNumber(`${number.formatInternational()}${marker}${extension}`, 'US')).toMatchObject({
            ok: true,
            e164: number.number,
            extension,
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws, and whatever it accepts is valid E.164 that reads back the same', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc.stringMatching(/^[+(]?[\d\s().\-/#x]{0,25}$/),
          fc.stringMatching(/^(00|\+)?[\d ]{0,20}$/),
        ),
        fc.constantFrom(...ACCOUNT_REGIONS, 'XX'),
        (raw, region) => {
          const result = normalizePhoneNumber(raw, region);
          if (!result.ok) {
            expect(result.message.length).toBeGreaterThan(0);
            return;
          }
          expect(result.e164).toMatch(/^\+[1-9]\d{1,14}$/);
          expect(parsePhoneNumber(result.e164).isValid()).toBe(true);
          for (const other of ACCOUNT_REGIONS) {
            expect(normalizePhoneNumber(result.e164, other)).toMatchObject({ ok: true, e164: result.e164 });
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
