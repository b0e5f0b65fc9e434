import type { CallHistoryEntry } from '../../common/contract/index.js';
import { DISPOSITION_TEXT } from '../state/call-status.js';
import { formatDuration, formatTarget, formatWhen } from '../state/format.js';
import { useController } from '../state/use-app-state.js';
import { useNow } from './use-now.js';

/** Recent calls, newest first, each with a Redial button (kept across restarts by the host). */
export function CallHistory({
  entries,
  domain,
  canDial,
}: {
  entries: readonly CallHistoryEntry[];
  domain: string | null;
  canDial: boolean;
}) {
  const controller = useController();
  const now = useNow(60_000);
  return (
    <section className="card history" aria-labelledby="history-title">
      <h2 id="history-title" className="section-title">
        Recent calls
      </h2>
      {entries.length === 0 && <p className="muted empty">No calls yet.</p>}
      {/* Always present (possibly empty), so it can be found before the first call. */}
      <ul aria-label="Call history" className="history-list">
        {entries.map((entry) => {
          const who = formatTarget(entry.peer, domain);
          const outcome =
            entry.answeredAt !== null
              ? formatDuration(entry.endedAt - entry.answeredAt)
              : (DISPOSITION_TEXT[entry.disposition] ?? entry.disposition);
          const missed = entry.disposition === 'missed';
          return (
            <li key={entry.id} className={missed ? 'missed' : undefined}>
              <span className={`direction ${entry.direction}`} aria-hidden="true">
                {entry.direction === 'inbound' ? '↙' : '↗'}
              </span>
              <span className="history-main">
                <span className="history-peer">{who}</span>
                <span className="muted">
                  <span className="visually-hidden">{entry.direction === 'inbound' ? 'Incoming, ' : 'Outgoing, '}</span>
                  {formatWhen(entry.startedAt, now)} · {outcome}
                </span>
              </span>
              <button
                type="button"
                className="button quiet small"
                disabled={!canDial}
                aria-label={`Redial ${who}`}
                onClick={() => void controller.call(entry.peer)}
              >
                Redial
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
