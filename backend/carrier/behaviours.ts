/**
 * What the carrier does with a call to each of its numbers. Pure: the call machinery asks
 * `behaviourFor(user)` and acts on the answer.
 */
import { ToneGenerator, TONE_HZ } from './media/tone.js';
import type { MediaSource } from './media/rtp-session.js';

export const NUMBER_ROLES = ['echo', 'tone', 'record', 'busy', 'noAnswer'] as const;
export type NumberRole = (typeof NUMBER_ROLES)[number];
export type CarrierNumbers = Readonly<Record<NumberRole, string>>;

/**
 * The demo's test numbers, defined here only: the stack starts the carrier with them and tells
 * clients the same object (endpoints.json, the control plane's client config), so what is
 * advertised is what the carrier answers. A partial `--numbers` overrides them per role.
 */
export const DEFAULT_NUMBERS: CarrierNumbers = {
  echo: '5550100',
  tone: '5550101',
  record: '5550102',
  busy: '5550103',
  noAnswer: '5550104',
};

/** What an answered call does with its audio. */
export const MEDIA_MODES = ['echo', 'tone', 'record'] as const;
export type MediaMode = (typeof MEDIA_MODES)[number];

export type Behaviour =
  | { readonly kind: 'answer'; readonly role: NumberRole; readonly mode: MediaMode }
  | { readonly kind: 'ring'; readonly role: NumberRole }
  | { readonly kind: 'reject'; readonly role: NumberRole | 'unknown'; readonly status: 404 | 486 };

/** How long noAnswer rings before giving up by itself (the brief's cap). */
export const MAX_RING_MS = 120_000;
/** Ringing time before echo/tone/record answer: long enough to see "ringing", short for tests. */
export const ANSWER_DELAY_MS = 200;

export function behaviourFor(numbers: CarrierNumbers, user: string | undefined): Behaviour {
  const role = NUMBER_ROLES.find((r) => numbers[r] === user);
  switch (role) {
    case 'echo':
    case 'tone':
    case 'record':
      return { kind: 'answer', role, mode: role };
    case 'busy':
      return { kind: 'reject', role, status: 486 };
    case 'noAnswer':
      return { kind: 'ring', role };
    default:
      return { kind: 'reject', role: 'unknown', status: 404 };
  }
}

/** The audio an answered call sends: the reference tone, an echo, or silence (record). */
export function mediaSourceFor(mode: MediaMode, toneHz: number = TONE_HZ): MediaSource {
  if (mode === 'echo') return { kind: 'echo' };
  if (mode === 'tone') {
    const tone = new ToneGenerator(toneHz);
    return { kind: 'generator', next: (n) => tone.next(n) };
  }
  return { kind: 'generator', next: (n) => new Int16Array(n) };
}
