import { useId, useState } from 'react';
import type { CallSnapshot, CallStats } from '../calling/phone-api.js';
import type { CallQuality as CallQualityState } from '../calling/quality-monitor.js';
import type { QualityThresholds } from '../../common/quality/quality-thresholds.js';
import { formatDuration, formatPeer } from '../state/format.js';
import { useController } from '../state/use-app-state.js';
import { CallQuality } from './CallQuality.js';
import { QualityCharts } from './QualityCharts.js';
import { QualityIndicator } from './QualityIndicator.js';
import { Keypad } from './Keypad.js';
import { TransferForm } from './TransferForm.js';
import { useNow } from './use-now.js';

/** An answered call: who, how long, the in-call controls and the live quality panel. */
export function ActiveCall({
  call,
  stats,
  quality,
  thresholds,
  domain,
}: {
  call: CallSnapshot;
  stats: CallStats | null;
  quality: CallQualityState | null;
  thresholds: QualityThresholds | undefined;
  domain: string | null;
}) {
  const controller = useController();
  const [chartsOpen, setChartsOpen] = useState(false);
  const chartsId = useId();
  const [panel, setPanel] = useState<'none' | 'keypad' | 'transfer'>('none');
  const now = useNow(1000, call.answeredAt !== null);
  const keypadId = useId();
  const transferId = useId();
  const toggle = (which: 'keypad' | 'transfer') => setPanel((open) => (open === which ? 'none' : which));

  return (
    <section className="call-body active" aria-label="Active call">
      <div className="call-head">
        <p className="peer">{formatPeer(call.peer, call.peerDisplayName, domain)}</p>
        <span role="timer" aria-label="Call duration" className="timer">
          {formatDuration(call.answeredAt === null ? 0 : now - call.answeredAt)}
        </span>
      </div>
      {/* Stays while it is true: a notice can be dismissed or replaced, this is the call's state. */}
      {call.microphoneFallback && <p className="muted">Using the system default microphone: the selected one is not available.</p>}
      <QualityIndicator quality={quality} thresholds={thresholds} />
      <div className="controls">
        <button
          type="button"
          className={`button control${call.muted ? ' engaged' : ''}`}
          onClick={() => controller.setMuted(call.id, !call.muted)}
        >
          {call.muted ? 'Unmute' : 'Mute'}
        </button>
        <button
          type="button"
          className={`button control${call.held ? ' engaged' : ''}`}
          disabled={call.state !== 'active'}
          onClick={() => void controller.setHeld(call.id, !call.held)}
        >
          {call.held ? 'Resume' : 'Hold'}
        </button>
        <button
          type="button"
          className={`button control${panel === 'keypad' ? ' engaged' : ''}`}
          aria-expanded={panel === 'keypad'}
          aria-controls={keypadId}
          onClick={() => toggle('keypad')}
        >
          Keypad
        </button>
        <button
          type="button"
          className={`button control${panel === 'transfer' ? ' engaged' : ''}`}
          aria-expanded={panel === 'transfer'}
          aria-controls={transferId}
          disabled={call.state !== 'active'}
          onClick={() => toggle('transfer')}
        >
          Transfer
        </button>
        <button type="button" className="button danger" onClick={() => void controller.hangup(call.id)}>
          Hang up
        </button>
      </div>
      {panel === 'keypad' && <Keypad id={keypadId} onDigit={(digit) => void controller.sendDtmf(call.id, digit)} />}
      {panel === 'transfer' && (
        <TransferForm
          id={transferId}
          onTransfer={async (target) => {
            if (await controller.transfer(call.id, target)) setPanel('none');
          }}
        />
      )}
      <CallQuality stats={stats} sample={quality?.samples.at(-1) ?? null} />
      <button
        type="button"
        className="button link"
        aria-expanded={chartsOpen}
        aria-controls={chartsId}
        onClick={() => setChartsOpen((open) => !open)}
      >
        {chartsOpen ? 'Hide quality charts' : 'Show quality charts'}
      </button>
      {chartsOpen && (
        <div id={chartsId}>
          <QualityCharts quality={quality} thresholds={thresholds} />
        </div>
      )}
    </section>
  );
}
