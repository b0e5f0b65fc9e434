import type { Settings } from '../../common/contract/index.js';
import { SYSTEM_DEFAULT, type DeviceLists, type DeviceOption } from './devices.js';

/**
 * Which devices the phone uses, from the agent's saved choice and what is plugged in now. The
 * saved choice is never rewritten (it is what the agent wants); each role falls back to the
 * system default while its device is absent and returns to it when it is listed again:
 *
 *     saved ──device gone from the list──▶ fallback (system default)
 *       ▲                                        │
 *       └────────device listed again─────────────┘
 *
 * The ringer is a role of its own: a headset speaker unplugged moves the call's audio, not the
 * ringer on the desk speaker (and the other way round). A list with no real device of a kind
 * (before the page may see device ids) tells nothing, so the saved device is kept.
 */

export type DeviceRole = keyof Settings;

const ROLES: ReadonlyArray<{ role: DeviceRole; list: keyof DeviceLists; noun: string }> = [
  { role: 'microphoneId', list: 'microphones', noun: 'microphone' },
  { role: 'speakerId', list: 'speakers', noun: 'speaker' },
  { role: 'ringerId', list: 'speakers', noun: 'ringer' },
];

export interface DeviceRoute {
  /** What the phone is given. */
  readonly devices: Settings;
  /** Roles whose saved device is absent, so they use the system default. */
  readonly fallback: ReadonlySet<DeviceRole>;
}

const isListed = (options: readonly DeviceOption[], id: string) => options.some((o) => o.id === id);
const knowsDevices = (options: readonly DeviceOption[]) => options.some((o) => o.id !== SYSTEM_DEFAULT.id);

export function routeDevices(saved: Settings, lists: DeviceLists): DeviceRoute {
  const devices = { ...saved };
  const fallback = new Set<DeviceRole>();
  for (const { role, list } of ROLES) {
    const options = lists[list];
    if (saved[role] === SYSTEM_DEFAULT.id || !knowsDevices(options) || isListed(options, saved[role])) continue;
    devices[role] = SYSTEM_DEFAULT.id;
    fallback.add(role);
  }
  return { devices, fallback };
}

export const sameDevices = (a: Settings, b: Settings) => ROLES.every(({ role }) => a[role] === b[role]);

/**
 * What the agent is told when the route changes because a device came or went, e.g.
 * "Jabra Evolve is disconnected: the microphone and speaker use the system default until it is
 * back." `label` names a saved device (from the last list it was in).
 */
export function describeRouteChange(
  before: DeviceRoute,
  after: DeviceRoute,
  saved: Settings,
  label: (id: string) => string,
): string | null {
  const lost = ROLES.filter(({ role }) => after.fallback.has(role) && !before.fallback.has(role));
  const back = ROLES.filter(({ role }) => before.fallback.has(role) && !after.fallback.has(role) && after.devices[role] === saved[role]);
  const sentences: string[] = [];
  for (const [roles, say] of [
    [lost, (names: string, nouns: string) => `${names} disconnected: the ${nouns} now use${s(lost)} the system default until it is back.`],
    [back, (names: string, nouns: string) => `${names} connected again: the ${nouns} use${s(back)} it again.`],
  ] as const) {
    if (roles.length === 0) continue;
    const names = [...new Set(roles.map(({ role }) => label(saved[role])))].join(' and ');
    sentences.push(say(names, roles.map((r) => r.noun).join(' and ')));
  }
  return sentences.length ? sentences.join(' ') : null;
}

/** "uses" for one role, "use" for several. */
const s = (roles: readonly unknown[]) => (roles.length === 1 ? 's' : '');
