import {
  findPhoneNumbersInText,
  isSupportedCountry,
  parsePhoneNumberWithError,
  ParseError,
  validatePhoneNumberLength,
  type CountryCode,
  type NumberType,
  type PhoneNumber,
} from 'libphonenumber-js/max';

/**
 * Reading phone numbers the way people type them into Navigator, so that a caller's E.164 number
 * from Dialpad can be matched to a customer, contact or supplier by plain equality.
 *
 * Policy: a number is accepted only when libphonenumber's full metadata says it is *valid* (it
 * belongs to an assigned range), not merely *possible* (right length). A possible-but-invalid
 * number is usually a typo, a fictional range (Ofcom's 07700 900xxx) or a national number read in
 * the wrong region; storing it would only produce matches against numbers nobody can call from.
 * Short codes (999, 112), internal extensions and free text are rejected with a reason the user
 * can act on. The cost: a number in a range newer than the bundled metadata is rejected until
 * libphonenumber-js is upgraded and the row re-normalised (see `requeuePhoneNumberNormalization`).
 */

export type PhoneNormalizationFailureReason =
  /** Nothing but whitespace. */
  | 'empty'
  /** No digits that could form a phone number (letters, "n/a", a lone extension). */
  | 'not_a_number'
  /** No country calling code could be determined: unknown `+code`, or a national number without a usable region. */
  | 'invalid_country'
  | 'too_short'
  | 'too_long'
  /** Between the shortest and longest lengths of the country, but of no length its numbers have. */
  | 'invalid_length'
  /** Right length but not in any assigned range of the country (typo, fictional or wrong-region number). */
  | 'invalid'
  /** More than one phone number in the text: which one the record means is the user's call. */
  | 'multiple_numbers';

export type PhoneNormalization =
  | {
      ok: true;
      /** The number in E.164 form (`+442079460958`), without extension. */
      e164: string;
      extension?: string;
      /** ISO 3166 alpha-2 region of the number; absent for non-geographic numbers (+800 …). */
      country?: CountryCode;
      /** libphonenumber's number type (`MOBILE`, `FIXED_LINE`, `FIXED_LINE_OR_MOBILE`, `TOLL_FREE`, …). */
      type?: NonNullable<NumberType>;
    }
  | { ok: false; reason: PhoneNormalizationFailureReason; message: string };

type Failure = Extract<PhoneNormalization, { ok: false }>;
type Read = { ok: true; number: PhoneNumber } | { ok: false; error: string };

const E164_PATTERN = /^\+[1-9]\d{1,14}$/;

/**
 * Reads `raw` as typed by a person, national forms interpreted in `defaultRegion` (the account's
 * ISO 3166 alpha-2 region). Never throws.
 */
export function normalizePhoneNumber(raw: string | null | undefined, defaultRegion: string): PhoneNormalization {
  const text = spellExtensionMarker(stripTelUri((raw ?? '').trim()));
  if (text === '') return failure('empty', 'The phone number is empty.');

  const region = toCountryCode(defaultRegion);
  const itu = readItuInternational(text);
  if (itu) return itu;
  const first = read(text, region);
  if (first.ok && first.number.isValid()) return success(first.number);

  const alternative = readAlternatives(text, region);
  if (alternative) return alternative;

  return explainFailure(text, region, defaultRegion, first);
}

/**
 * A number from a Dialpad payload (`external_number`, `contact.phone`, …): E.164 in practice, but
 * internal legs and extensions can be short or local. Returns the E.164 form, or null when the value
 * is not a dialable public number. The extension, if any, is dropped: calls are matched on the line.
 *
 * Unlike `normalizePhoneNumber`, a *possible* number is accepted: it came from the phone network,
 * so it exists even when the bundled metadata does not know its range yet, and keeping it lets
 * the call be matched once the metadata catches up.
 */
export function normalizeDialpadNumber(raw: string | number | null | undefined, defaultRegion?: string): string | null {
  if (raw === null || raw === undefined) return null;
  const text = stripTelUri(String(raw).trim());
  if (text === '') return null;
  const region = defaultRegion === undefined ? undefined : toCountryCode(defaultRegion);
  // Without a region only international forms can be read; a bare short number is an extension.
  if (!text.startsWith('+') && region === undefined) return null;
  const result = read(text, region);
  if (!result.ok || !result.number.isPossible()) return null;
  const e164 = result.number.number;
  return E164_PATTERN.test(e164) ? e164 : null;
}

/** True when `region` is an ISO 3166 alpha-2 code libphonenumber has numbering metadata for. */
export function isSupportedRegion(region: string): boolean {
  return isSupportedCountry(region.toUpperCase());
}

/**
 * "00" is the ITU-recommended international prefix and what most of the world dials, so people in
 * the US (011) or Australia (0011) still write "0044 …". It is read first: a region's own prefixes
 * would read some of these differently (Australia's carrier prefixes 0014–0019 turn
 * "001 649 231 1234", Turks and Caicos, into a German number). No national number of the main
 * regions starts with 00, and a region's own form ("0011 44 …") is not a valid "00" reading, so it
 * is read in the region next.
 */
function readItuInternational(text: string): PhoneNormalization | undefined {
  const idd = /^00\s*([1-9].*)$/.exec(text);
  if (idd?.[1] === undefined) return undefined;
  const international = read(`+${idd[1]}`, undefined);
  return international.ok && international.number.isValid() ? success(international.number) : undefined;
}

function readAlternatives(text: string, region: CountryCode | undefined): PhoneNormalization | undefined {
  const vanity = vanityToDigits(text);
  if (vanity !== undefined) {
    const spelled = read(vanity, region);
    if (spelled.ok && spelled.number.isValid()) return success(spelled.number);
  }

  // "Mob: 07400 123456", "020 7946 0958 (reception)": a label around one number is still that
  // number. Two valid numbers are refused rather than guessed between.
  const found = findPhoneNumbersInText(text, region === undefined ? {} : { defaultCountry: region });
  if (found.length > 1) {
    return failure('multiple_numbers', `Found ${found.length} phone numbers; keep one number per field.`);
  }
  const only = found[0];
  if (only && only.number.isValid()) return success(only.number);
  return undefined;
}

function explainFailure(text: string, region: CountryCode | undefined, requestedRegion: string, first: Read): Failure {
  if (!first.ok) {
    switch (first.error) {
      case 'INVALID_COUNTRY':
        return text.startsWith('+')
          ? failure('invalid_country', 'The country calling code is not assigned to any country.')
          : failure(
              'invalid_country',
              `No country code, and the account's default region "${requestedRegion}" is not a region with phone numbers.`,
            );
      case 'TOO_SHORT':
        return failure('too_short', 'Too few digits for a phone number.');
      case 'TOO_LONG':
        return failure('too_long', 'Too many digits for a phone number.');
      default:
        return failure('not_a_number', 'Not a phone number: too few digits, or text that is not part of a number.');
    }
  }

  const number = first.number;
  const label = number.country ?? `+${number.countryCallingCode}`;
  // Most failures of a national-form number are a foreign number typed without its country code.
  const hint =
    text.startsWith('+') || region === undefined
      ? ''
      : ` It was read in the account's region (${region}): write a foreign number with + and its country code.`;
  switch (validatePhoneNumberLength(number.number)) {
    case 'TOO_SHORT':
      return failure('too_short', `Too few digits for a ${label} phone number.${hint}`);
    case 'TOO_LONG':
      return failure('too_long', `Too many digits for a ${label} phone number.${hint}`);
    case 'INVALID_LENGTH':
      return failure('invalid_length', `No ${label} phone number has this many digits.${hint}`);
    default:
      return failure('invalid', `Not an assigned ${label} phone number: check the digits.${hint}`);
  }
}

function read(text: string, region: CountryCode | undefined): Read {
  try {
    return {
      ok: true,
      number: parsePhoneNumberWithError(
        text,
        region === undefined ? { extract: false } : { defaultCountry: region, extract: false },
      ),
    };
  } catch (error) {
    if (error instanceof ParseError) return { ok: false, error: error.message };
    throw error;
  }
}

function success(number: PhoneNumber): PhoneNormalization {
  const type = number.getType();
  return {
    ok: true,
    e164: number.number,
    ...(number.ext ? { extension: number.ext } : {}),
    ...(number.country ? { country: number.country } : {}),
    ...(type ? { type } : {}),
  };
}

function failure(reason: PhoneNormalizationFailureReason, message: string): Failure {
  return { ok: false, reason, message };
}

function toCountryCode(region: string): CountryCode | undefined {
  const upper = region.trim().toUpperCase();
  return isSupportedCountry(upper) ? upper : undefined;
}

// Numbers copied from a link or a signature arrive as RFC 3966 URIs ("tel:+1-415-555-2671;ext=5").
function stripTelUri(text: string): string {
  return text.replace(/^tel:\s*/i, '');
}

/**
 * French numbers give their extension as "poste 12"; libphonenumber reads "ext", "x", "#", ";ext="
 * and a few other languages' words, but not this one, and would otherwise drop the extension.
 */
function spellExtensionMarker(text: string): string {
  return text.replace(/\s*\bposte\s*\.?\s*(\d+)\s*$/i, ' ext. $1');
}

const KEYPAD: Readonly<Record<string, string>> = Object.fromEntries(
  (
    [
      ['2', 'ABC'],
      ['3', 'DEF'],
      ['4', 'GHI'],
      ['5', 'JKL'],
      ['6', 'MNO'],
      ['7', 'PQRS'],
      ['8', 'TUV'],
      ['9', 'WXYZ'],
    ] as const
  ).flatMap(([digit, letters]) => [...letters].map((letter) => [letter, digit])),
);

/**
 * "1-800-FLOWERS" → "1-800-3569377". libphonenumber-js deliberately drops Google libphonenumber's
 * alpha-number support, so its rule is applied here: at least three digits first (so words such
 * as "ext" or "n/a" are never spelled into digits) and at least three letters.
 */
function vanityToDigits(text: string): string | undefined {
  if (!/^\+?[\s\-.()/]*(?:\d[\s\-.()/]*){3,}[A-Za-z\d\s\-.()/]*$/.test(text)) return undefined;
  if ((text.match(/[A-Za-z]/g) ?? []).length < 3) return undefined;
  return text.replace(/[A-Za-z]/g, (letter) => KEYPAD[letter.toUpperCase()] ?? letter);
}
