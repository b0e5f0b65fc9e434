import type { AppState } from '../state/app-state.js';
import { selectCallStatus, selectCurrentCall, selectIncomingCalls, selectOtherCalls } from '../state/selectors.js';
import { ActiveCall } from './ActiveCall.js';
import { Dialpad } from './Dialpad.js';
import { IncomingCall } from './IncomingCall.js';
import { OtherCalls } from './OtherCalls.js';
import { OutgoingCall } from './OutgoingCall.js';

/**
 * The left column: calls ringing in, then one card whose header is the (always mounted, so always
 * announced) Call status region and whose body is the dialpad, the outgoing call or the live call.
 */
export function CallStage({ state }: { state: AppState }) {
  const domain = state.config?.sip.domain ?? null;
  const current = selectCurrentCall(state);
  const incoming = selectIncomingCalls(state);
  const status = selectCallStatus(state);
  const registered = state.phone.registration.kind === 'registered';
  const answered = current !== null && (current.state === 'active' || current.state === 'connecting');

  return (
    <div className="stage">
      {incoming.map((call) => (
        <IncomingCall key={call.id} call={call} domain={domain} />
      ))}
      <div className={`card call-card${current ? ` in-call state-${current.state}${current.held ? ' held' : ''}` : ''}`}>
        <div role="status" aria-label="Call status" className="call-status">
          <span className="call-status-text">{status.text}</span>
          {status.detail && <span className="call-status-detail">{status.detail}</span>}
        </div>
        {current === null && <Dialpad numbers={state.config?.numbers ?? {}} disabled={!registered} />}
        {current !== null && !answered && <OutgoingCall call={current} domain={domain} />}
        {current !== null && answered && (
          <ActiveCall
            call={current}
            stats={state.stats[current.id] ?? null}
            quality={state.quality[current.id] ?? null}
            thresholds={state.config?.quality}
            domain={domain}
          />
        )}
      </div>
      <OtherCalls calls={selectOtherCalls(state)} domain={domain} />
    </div>
  );
}
