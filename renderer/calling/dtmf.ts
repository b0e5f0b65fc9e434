import type { Session as SipSession } from 'sip.js';
import type { CallingLogger } from './logging.js';
import { PhoneError } from './phone-api.js';
import { accepted } from './sip-request.js';
import type { Timers } from '../../common/timers.js';

const DTMF_DIGITS = /^[0-9*#A-Da-d]+$/;
const TONE_MS = 120;
const GAP_MS = 80;

export function validateDtmf(digits: string): void {
  if (!DTMF_DIGITS.test(digits)) {
    throw new PhoneError('invalid-target', `Keypad digits must be 0–9, *, # or A–D (got “${digits}”).`);
  }
}

/** The SIP INFO body of one digit (application/dtmf-relay, the de-facto format gateways parse). */
export function dtmfRelayBody(digit: string, durationMs: number = TONE_MS): string {
  return `Signal=${digit.toUpperCase()}\r\nDuration=${durationMs}\r\n`;
}

/**
 * RFC 4733 telephone-events through RTCDTMFSender when telephone-event was negotiated; otherwise
 * one SIP INFO per digit. Resolves once every digit has been sent.
 */
export async function sendDtmfDigits(
  session: SipSession,
  pc: RTCPeerConnection | undefined,
  digits: string,
  logger: CallingLogger,
  timers: Timers,
): Promise<void> {
  const dtmf = pc?.getSenders().find((s) => s.track?.kind === 'audio' || s.dtmf)?.dtmf;
  if (dtmf?.canInsertDTMF) {
    dtmf.insertDTMF(digits, TONE_MS, GAP_MS);
    const deadline = Date.now() + digits.length * (TONE_MS + GAP_MS) + 2000;
    while (dtmf.toneBuffer !== '' && Date.now() < deadline) await sleep(timers, 50);
    // The last tone is still playing when the buffer empties.
    await sleep(timers, TONE_MS + GAP_MS);
    return;
  }
  logger.write('info', 'calling.dtmf', 'telephone-event not negotiated; sending DTMF as SIP INFO');
  for (const digit of digits) {
    await accepted(
      (requestDelegate) =>
        session.info({
          requestOptions: {
            body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: dtmfRelayBody(digit) },
          },
          requestDelegate,
        }),
      (r) => new PhoneError('invalid-state', `Keypad tone ${digit} refused (${r.message.statusCode}).`),
      (error) => new PhoneError('invalid-state', `Keypad tone ${digit} failed: ${String(error)}`),
    );
  }
}

const sleep = (timers: Timers, ms: number) => new Promise<void>((resolve) => timers.setTimeout(resolve, ms));
