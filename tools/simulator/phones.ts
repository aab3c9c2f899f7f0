import type { Random } from './random';

/**
 * Plausible, valid (by libphonenumber's metadata) E.164 numbers for the countries Navigator's
 * customers call from. Patterns are real numbering-plan ranges (geographic and mobile), so the
 * ingress's parser and matcher see what real callers produce.
 */
export const SIM_COUNTRIES = ['US', 'GB', 'AU', 'DE', 'FR'] as const;
export type SimCountry = (typeof SIM_COUNTRIES)[number];

interface NumberPlan {
  callingCode: string;
  /** National significant number generators (without trunk prefix). */
  landline: (r: Random) => string;
  mobile: (r: Random) => string;
  /** Caller-ID places Dialpad shows for unknown callers. */
  places: readonly string[];
  /** The country's national format for display, from the national significant number. */
  display: (nsn: string) => string;
}

export const US_AREA_CODES = [
  '212',
  '213',
  '206',
  '303',
  '305',
  '312',
  '404',
  '408',
  '415',
  '503',
  '510',
  '512',
  '602',
  '612',
  '617',
  '646',
  '650',
  '702',
  '718',
  '773',
] as const;
const US_PLACES: Record<string, string> = {
  '212': 'New York, NY',
  '213': 'Los Angeles, CA',
  '206': 'Seattle, WA',
  '303': 'Denver, CO',
  '305': 'Miami, FL',
  '312': 'Chicago, IL',
  '404': 'Atlanta, GA',
  '408': 'San Jose, CA',
  '415': 'San Francisco, CA',
  '503': 'Portland, OR',
  '510': 'Oakland, CA',
  '512': 'Austin, TX',
  '602': 'Phoenix, AZ',
  '612': 'Minneapolis, MN',
  '617': 'Boston, MA',
  '646': 'New York, NY',
  '650': 'Palo Alto, CA',
  '702': 'Las Vegas, NV',
  '718': 'Brooklyn, NY',
  '773': 'Chicago, IL',
};

function usSubscriber(r: Random): string {
  // NXX exchange: 2–9 first, never N11, and not 555 (reserved for fiction and directory).
  for (;;) {
    const exchange = `${r.int(2, 9)}${r.digits(2)}`;
    if (exchange.slice(1) !== '11' && exchange !== '555') return `${exchange}${r.digits(4)}`;
  }
}

const PLANS: Record<SimCountry, NumberPlan> = {
  US: {
    callingCode: '1',
    landline: (r) => `${r.pick(US_AREA_CODES)}${usSubscriber(r)}`,
    mobile: (r) => `${r.pick(US_AREA_CODES)}${usSubscriber(r)}`,
    places: Object.values(US_PLACES),
    display: (n) => `(${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`,
  },
  GB: {
    callingCode: '44',
    landline: (r) =>
      r.weighted([
        [() => `20${r.pick(['7', '8'])}${r.digits(7)}`, 5],
        [() => `161${r.int(2, 7)}${r.digits(6)}`, 2],
        [() => `121${r.int(2, 7)}${r.digits(6)}`, 2],
        [() => `131${r.int(2, 6)}${r.digits(6)}`, 1],
      ] as const)(),
    mobile: (r) => `7${r.pick(['40', '50', '51', '52', '71', '72', '73', '80', '81', '90'])}${r.digits(7)}`,
    places: ['London', 'Manchester', 'Birmingham', 'Edinburgh', 'Leeds'],
    display: (n) =>
      n.startsWith('20')
        ? `020 ${n.slice(2, 6)} ${n.slice(6)}`
        : n.startsWith('7')
          ? `0${n.slice(0, 4)} ${n.slice(4)}`
          : `0${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
  },
  AU: {
    callingCode: '61',
    landline: (r) => `${r.pick(['2', '3', '7', '8'])}${r.pick(['9', '8'])}${r.digits(7)}`,
    mobile: (r) => `4${r.pick(['0', '1', '2', '3'])}${r.digits(7)}`,
    places: ['Sydney', 'Melbourne', 'Brisbane', 'Perth', 'Adelaide'],
    display: (n) =>
      n.startsWith('4')
        ? `0${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`
        : `(0${n[0]}) ${n.slice(1, 5)} ${n.slice(5)}`,
  },
  DE: {
    callingCode: '49',
    landline: (r) => r.pick(['30', '40', '89', '69', '221']) + `${r.int(2, 9)}${r.digits(6)}`,
    mobile: (r) => `${r.pick(['151', '152', '157', '160', '170', '171', '176'])}${r.digits(8)}`,
    places: ['Berlin', 'Hamburg', 'München', 'Frankfurt am Main', 'Köln'],
    display: (n) =>
      n.startsWith('1')
        ? `0${n.slice(0, 3)} ${n.slice(3)}`
        : n.startsWith('221')
          ? `0221 ${n.slice(3)}`
          : `0${n.slice(0, 2)} ${n.slice(2)}`,
  },
  FR: {
    callingCode: '33',
    landline: (r) => `${r.int(1, 5)}${r.int(1, 5)}${r.digits(7)}`,
    mobile: (r) => `${r.pick(['6', '7'])}${r.pick(['6', '7'])}${r.digits(7)}`,
    places: ['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Bordeaux'],
    display: (n) => `0${n[0]} ${n.slice(1).replace(/(\d\d)(?=\d)/g, '$1 ')}`,
  },
};

export function randomPhone(r: Random, country: SimCountry, kind: 'landline' | 'mobile' = 'landline'): string {
  const plan = PLANS[country];
  return `+${plan.callingCode}${plan[kind](r)}`;
}

/** "+442079460958" → "020 7946 0958", "+14155550142" → "(415) 555-0142". */
export function nationalDisplay(e164: string, country: SimCountry): string {
  const plan = PLANS[country];
  return plan.display(e164.slice(1 + plan.callingCode.length));
}

/** What Dialpad shows as an unknown caller's name: a place, or the formatted number. */
export function callerIdName(r: Random, e164: string, country: SimCountry): string {
  if (country === 'US') {
    const place = US_PLACES[e164.slice(2, 5)];
    if (place && r.chance(0.6)) return place;
    return nationalDisplay(e164, country);
  }
  return r.chance(0.4)
    ? r.pick(PLANS[country].places)
    : `+${PLANS[country].callingCode} ${nationalDisplay(e164, country).replace(/^0|^\(0(\d)\)/, '$1')}`;
}

export const COUNTRY_TIMEZONES: Record<SimCountry, string> = {
  US: 'America/Los_Angeles',
  GB: 'Europe/London',
  AU: 'Australia/Sydney',
  DE: 'Europe/Berlin',
  FR: 'Europe/Paris',
};
