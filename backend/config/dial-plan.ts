/**
 * The dial plan: which class of destination (control-plane/schema.ts DESTINATION_CLASSES) a
 * dialled number is. Kamailio applies it (the patterns below go into its defines file and route
 * DIAL_PLAN tests them in this order); each agent's `allowed_destinations` lists the classes it
 * may call. This module is the one source of
 * the patterns: `classifyDestination` is the same decision in TypeScript, which the unit tests
 * check case by case (nothing at run time calls it: Kamailio alone decides).
 *
 * The patterns are POSIX extended regular expressions that mean the same in JavaScript: no
 * lookahead, no backslashes (a `+` is written `[+]`), so they pass into Kamailio's cfg unchanged.
 */

import type { DestinationClass } from '../control-plane/schema.js';

/** Home country calling code (NANP): `+1…`/`001…` numbers are national, not international. */
export const HOME_COUNTRY_CODE = '1';

export const DIAL_PLAN_PATTERNS = {
  /** A number at all: digits with an optional leading `+`. Anything else names an agent. */
  number: '^[+]?[0-9]+$',
  /**
   * Premium-rate numbers, the target of toll fraud: NANP 900 and 976 (with or without +1/1/001),
   * UK 09 and 0871/0872/0873 in international form.
   */
  premium: '^((([+]|00)?1)?(900|976)[0-9]{7}|([+]|00)44(9|87[123])[0-9]*)$',
  /** A home-country number in international form: national, whatever its prefix says. */
  homeE164: `^([+]|00)${HOME_COUNTRY_CODE}[0-9]{10}$`,
  /** Any other number with an international prefix. */
  international: '^([+]|00)[0-9]+$',
  /** Everything else that is 3 to 20 digits. */
  national: '^[0-9]{3,20}$',
} as const;

/**
 * The class of a dialled user part (spaces removed), or null when it is a number no class
 * accepts (Kamailio answers 484). Same order as Kamailio's route DIAL_PLAN.
 */
export function classifyDestination(dialled: string): DestinationClass | null {
  const d = dialled.replace(/ /g, '');
  const p = DIAL_PLAN_PATTERNS;
  if (!new RegExp(p.number).test(d)) return 'internal';
  if (new RegExp(p.premium).test(d)) return 'premium';
  if (new RegExp(p.homeE164).test(d)) return 'national';
  if (new RegExp(p.international).test(d)) return 'international';
  if (new RegExp(p.national).test(d)) return 'national';
  return null;
}
