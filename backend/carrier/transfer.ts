/**
 * Blind transfer as the transferee (RFC 3515 / RFC 5589): after the 202 to REFER, report
 * "100 Trying", call the Refer-To target with the same media behaviour as the current leg,
 * report the outcome as the final NOTIFY, and on success hang up the transferor's leg.
 */
import type { Call, OutgoingCallOptions } from './call.js';
import { reasonPhrase } from './sip/message.js';

export async function runBlindTransfer(
  leg: Call,
  target: string,
  referredBy: string | undefined,
  placeCall: (opts: OutgoingCallOptions) => Promise<Call>,
  log: (line: string) => void,
): Promise<void> {
  const notify = (status: number, final: boolean) =>
    leg.notifyTransferProgress(status, reasonPhrase(status), final).catch((err: Error) => log(`NOTIFY failed: ${err.message}`));
  await notify(100, false);
  let newLeg: Call;
  try {
    newLeg = await placeCall({
      target,
      fromUser: leg.number,
      mode: leg.mode ?? 'tone',
      toneHz: leg.toneHz,
      extraHeaders: referredBy ? [{ name: 'Referred-By', value: referredBy }] : [],
    });
  } catch (err) {
    log(`transfer of ${leg.id} to ${target} failed: ${(err as Error).message}`);
    await notify(503, true);
    return;
  }
  const outcome = await new Promise<Call>((resolve) => {
    const settle = (c: Call) => {
      if (c.state !== 'ringing') resolve(c);
    };
    newLeg.onChange(settle);
    settle(newLeg);
  });
  if (outcome.state === 'answered') {
    await notify(200, true);
    leg.hangup();
  } else {
    await notify(outcome.finalStatus && outcome.finalStatus >= 300 ? outcome.finalStatus : 500, true);
  }
}
