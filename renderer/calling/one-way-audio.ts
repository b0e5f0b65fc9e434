import type { QualitySample } from './quality-sample.js';

/**
 * One-way audio, named as such: media flows out but none comes in ("you cannot hear them"), or
 * comes in while none goes out ("they cannot hear you"), for ONE_WAY_AFTER consecutive samples (a
 * few seconds; shorter gaps are packet bursts or a re-INVITE). A held call is silent on purpose
 * and resets the detector.
 *
 *            ONE_WAY_AFTER samples: sent > 0, received = 0
 *     none ─────────────────────────────────────────────────▶ no-inbound
 *       │  ◀── a sample with media both ways, or the call held ──┘
 *       │    ONE_WAY_AFTER samples: received > 0, sent = 0
 *       └───────────────────────────────────────────────────▶ no-outbound (back the same way)
 *
 * Pure: (state, sample, held) → state. Only local evidence is used: the far end's reception of our
 * media is not visible here when it sends no RTCP (the PSTN side mostly does not), so a cut on the
 * outgoing path shows as "no inbound" on the far end's client, not as "no outbound" on ours.
 */
export const ONE_WAY_AFTER = 3;

export type OneWayDirection = 'no-inbound' | 'no-outbound';

export interface OneWayState {
  readonly direction: OneWayDirection | null;
  readonly noInboundStreak: number;
  readonly noOutboundStreak: number;
}

export const NO_ONE_WAY: OneWayState = { direction: null, noInboundStreak: 0, noOutboundStreak: 0 };

export function nextOneWay(state: OneWayState, sample: QualitySample, held: boolean): OneWayState {
  if (held) return NO_ONE_WAY;
  const noInbound = sample.packetsSent > 0 && sample.packetsReceived === 0;
  const noOutbound = sample.packetsReceived > 0 && sample.packetsSent === 0;
  const noInboundStreak = noInbound ? state.noInboundStreak + 1 : 0;
  const noOutboundStreak = noOutbound ? state.noOutboundStreak + 1 : 0;
  const flowingBothWays = sample.packetsSent > 0 && sample.packetsReceived > 0;
  const direction: OneWayDirection | null =
    noInboundStreak >= ONE_WAY_AFTER
      ? 'no-inbound'
      : noOutboundStreak >= ONE_WAY_AFTER
        ? 'no-outbound'
        : flowingBothWays
          ? null
          : state.direction;
  return { direction, noInboundStreak, noOutboundStreak };
}

/** What the agent is told, and what usually causes it (most likely first). */
export const ONE_WAY_EXPLANATIONS: Readonly<Record<OneWayDirection, { title: string; causes: readonly string[] }>> = {
  'no-inbound': {
    title: 'One-way audio: you cannot hear the other side (audio is sent, none arrives)',
    causes: [
      'a firewall or NAT on this network drops incoming UDP media',
      'a VPN or split tunnel sends media out one way and the replies another',
      'the far end stopped sending (its microphone or network failed)',
      'the media relay (TURN or the media server) lost the far end’s leg',
    ],
  },
  'no-outbound': {
    title: 'One-way audio: the other side cannot hear you (audio arrives, none is sent)',
    causes: [
      'the microphone stopped delivering audio (headset unplugged, device taken by another app)',
      'microphone access was revoked during the call',
      'the audio sender was stopped (a device switch that did not complete)',
    ],
  },
};
