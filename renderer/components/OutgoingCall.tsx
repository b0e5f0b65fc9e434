import type { CallSnapshot } from '../calling/phone-api.js';
import { formatPeer } from '../state/format.js';
import { useController } from '../state/use-app-state.js';

/**
 * A call we placed that is not answered yet: who, and Cancel. "Calling…"/"Ringing…" is shown by
 * the Call status region just above, so it is announced once and not duplicated here.
 */
export function OutgoingCall({ call, domain }: { call: CallSnapshot; domain: string | null }) {
  const controller = useController();
  return (
    <section className="call-body outgoing" aria-label="Outgoing call">
      <p className="peer">{formatPeer(call.peer, call.peerDisplayName, domain)}</p>
      <div className="actions">
        <button type="button" className="button danger" onClick={() => void controller.hangup(call.id)}>
          Cancel
        </button>
      </div>
    </section>
  );
}
