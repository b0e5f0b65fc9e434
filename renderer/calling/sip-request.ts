import type { Core } from 'sip.js';

/**
 * An in-dialog request (hold re-INVITE, REFER, DTMF INFO) as a promise of its outcome: resolves
 * when the far end accepts it; rejects with `refused(response)` when it answers non-2xx, or with
 * `failed(error)` when SIP.js could not send it (no media description, dialog gone).
 */
export function accepted(
  send: (requestDelegate: Core.OutgoingRequestDelegate) => Promise<unknown>,
  refused: (response: Core.IncomingResponse) => Error,
  failed: (error: unknown) => Error,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    send({ onAccept: () => resolve(), onReject: (response) => reject(refused(response)) }).catch((error: unknown) => reject(failed(error)));
  });
}

/** "488 Not Acceptable Here": a response's status as people read it. */
export const statusOf = (response: Core.IncomingResponse): string => `${response.message.statusCode} ${response.message.reasonPhrase}`;
