import type { CallSnapshot } from '../calling/phone-api.js';
import { formatPeer } from '../state/format.js';
import { useController } from '../state/use-app-state.js';

/** A call ringing in; Answer gets focus so Enter/Space answers it from the keyboard. */
export function IncomingCall({ call, domain }: { call: CallSnapshot; domain: string | null }) {
  const controller = useController();
  return (
    <section className="card incoming" aria-label="Incoming call">
      <p className="eyebrow">Call from</p>
      <p className="peer">{formatPeer(call.peer, call.peerDisplayName, domain)}</p>
      <div className="actions">
        {/* Focus goes to Answer: the ringing call is what the agent acts on next. */}
        <button type="button" className="button call" autoFocus onClick={() => void controller.answer(call.id)}>
          Answer
        </button>
        <button type="button" className="button danger" onClick={() => void controller.decline(call.id)}>
          Decline
        </button>
      </div>
    </section>
  );
}
