import type { CallSnapshot } from '../calling/phone-api.js';
import { callStatusText } from '../state/call-status.js';
import { formatPeer } from '../state/format.js';
import { useController } from '../state/use-app-state.js';

/** Calls parked while the agent talks on another one: switch to them or end them. */
export function OtherCalls({ calls, domain }: { calls: readonly CallSnapshot[]; domain: string | null }) {
  const controller = useController();
  if (calls.length === 0) return null;
  return (
    <section className="card other-calls" aria-label="Other calls">
      <h2 className="section-title">Other calls</h2>
      <ul className="other-list">
        {calls.map((call) => {
          const who = formatPeer(call.peer, call.peerDisplayName, domain);
          return (
            <li key={call.id}>
              <span className="history-main">
                <span className="history-peer">{who}</span>
                <span className="muted">{callStatusText(call)}</span>
              </span>
              <button
                type="button"
                className="button quiet small"
                disabled={call.state !== 'active'}
                aria-label={`Switch to ${who}`}
                onClick={() => void controller.switchTo(call.id)}
              >
                Switch
              </button>
              <button
                type="button"
                className="button quiet small"
                aria-label={`End call with ${who}`}
                onClick={() => void controller.hangup(call.id)}
              >
                End
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
