import type {
  SessionDescriptionHandler,
  SessionDescriptionHandlerFactory,
  SessionDescriptionHandlerModifier,
  SessionDescriptionHandlerOptions,
} from 'sip.js';

/**
 * An audio description as Chromium offers it (trimmed): opus, G722, PCMU, PCMA, CN and
 * telephone-event, so the phone's codec preference has something to remove.
 */
export const BROWSER_AUDIO_SDP = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 9 0 8 13 126',
  'c=IN IP4 0.0.0.0',
  'a=rtpmap:111 opus/48000/2',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:13 CN/8000',
  'a=rtpmap:126 telephone-event/8000',
  '',
].join('\r\n');

/**
 * An audio track that remembers whether it is enabled and whether it was stopped; `unplug()`
 * ends it the way a browser does when its device goes away.
 */
export class TrackFake {
  readonly kind = 'audio';
  enabled = true;
  stopped = false;
  private unplugged = false;
  private readonly endedListeners: Array<() => void> = [];
  /** `deviceId`: the device it captures ('default' unless the test opened a particular one). */
  constructor(
    readonly label: string,
    readonly deviceId = 'default',
  ) {}
  stop(): void {
    this.stopped = true;
  }
  get readyState(): MediaStreamTrackState {
    return this.stopped || this.unplugged ? 'ended' : 'live';
  }
  getSettings(): { deviceId: string } {
    return { deviceId: this.deviceId };
  }
  addEventListener(type: string, listener: () => void): void {
    if (type === 'ended') this.endedListeners.push(listener);
  }
  unplug(): void {
    this.unplugged = true;
    for (const listener of this.endedListeners.splice(0)) listener();
  }
}

export class StreamFake {
  constructor(private tracks: TrackFake[] = []) {}
  getAudioTracks(): TrackFake[] {
    return [...this.tracks];
  }
  getTracks(): TrackFake[] {
    return [...this.tracks];
  }
  addTrack(track: TrackFake): void {
    this.tracks.push(track);
  }
  removeTrack(track: TrackFake): void {
    this.tracks = this.tracks.filter((t) => t !== track);
  }
}

/** The audio sender: which track goes out, and every track it was switched to. */
export class SenderFake {
  readonly replacedWith: TrackFake[] = [];
  readonly dtmf = null;
  constructor(public track: TrackFake | null) {}
  async replaceTrack(track: TrackFake): Promise<void> {
    this.replacedWith.push(track);
    this.track = track;
  }
}

/**
 * The peer connection a call's media runs on: ICE already connected, one audio sender. Without
 * `audioDirection` it has no transceiver: the call expects no inbound audio, so its stall watch
 * stays quiet; a test that drives the watch sets it and the `stats` getStats reports.
 */
export class PeerConnectionFake {
  iceConnectionState: RTCIceConnectionState = 'connected';
  readonly signalingState: RTCSignalingState = 'stable';
  configuration: RTCConfiguration = {};
  /** The audio transceiver's negotiated direction (null: not negotiated yet); undefined: no transceiver. */
  audioDirection: RTCRtpTransceiverDirection | null | undefined = undefined;
  stats: ReadonlyArray<{ readonly type: string; readonly id: string; readonly [key: string]: unknown }> = [];
  /** How many times getStats was called on it. */
  statsReads = 0;
  closed = false;
  constructor(readonly sender: SenderFake) {}
  getSenders(): SenderFake[] {
    return [this.sender];
  }
  addEventListener(): void {}
  getTransceivers(): RTCRtpTransceiver[] {
    if (this.audioDirection === undefined) return [];
    return [{ receiver: { track: { kind: 'audio' } }, currentDirection: this.audioDirection } as unknown as RTCRtpTransceiver];
  }
  close(): void {
    this.closed = true;
  }
  getConfiguration(): RTCConfiguration {
    return this.configuration;
  }
  setConfiguration(configuration: RTCConfiguration): void {
    this.configuration = configuration;
  }
  async getStats(): Promise<Map<string, unknown>> {
    this.statsReads += 1;
    return new Map(this.stats.map((s) => [s.id, s]));
  }
}

type Signaling = 'stable' | 'has-local-offer' | 'has-remote-offer';

/**
 * A call's media handler without WebRTC, after SIP.js's own SessionDescriptionHandler mock: it
 * keeps the offer/answer state (stable → has-local-offer → stable, or has-remote-offer → stable)
 * and refuses out-of-order calls as a real one would, applies the phone's SDP modifiers to what
 * it describes, and exposes the WebRTC parts the phone touches (peer connection, streams, track
 * enablement) as fakes the test can inspect.
 */
export class SessionDescriptionHandlerFake implements SessionDescriptionHandler {
  readonly localMediaStream: StreamFake;
  readonly remoteMediaStream = new StreamFake([new TrackFake('far end')]);
  peerConnection: PeerConnectionFake;
  /** Each peer connection swapped in for a recovery (relay-recovery.ts), with its configuration and fate. */
  readonly swaps: Array<{
    readonly configuration: RTCConfiguration;
    readonly replaced: PeerConnectionFake;
    fate: 'pending' | 'committed' | 'aborted';
  }> = [];
  /** The options of each description we produced (a hold re-offer says `hold: true`). */
  readonly describedWith: Array<SessionDescriptionHandlerOptions | undefined> = [];
  /** The next `getDescription` fails with this (no microphone, a codec we cannot accept, …). */
  failNextDescription: Error | null = null;
  /**
   * While set, a description waits for it once the offer or answer is made: an offer being built
   * (a real handler gathers ICE candidates then) and not yet sent.
   */
  gate: Promise<void> | null = null;
  sendersEnabled: boolean | null = null;
  receiversEnabled: boolean | null = null;
  closed = false;
  private signaling: Signaling = 'stable';

  constructor() {
    const microphone = new TrackFake('microphone default');
    this.localMediaStream = new StreamFake([microphone]);
    this.peerConnection = new PeerConnectionFake(new SenderFake(microphone));
  }

  async getDescription(
    options?: SessionDescriptionHandlerOptions,
    modifiers: SessionDescriptionHandlerModifier[] = [],
  ): Promise<{ body: string; contentType: string }> {
    this.assertOpen('getDescription');
    const failure = this.failNextDescription;
    this.failNextDescription = null;
    if (failure) throw failure;
    if (this.signaling === 'has-local-offer') throw new Error('getDescription while an offer of ours is outstanding');
    const type = this.signaling === 'stable' ? 'offer' : 'answer';
    this.signaling = this.signaling === 'stable' ? 'has-local-offer' : 'stable';
    if (this.gate) await this.gate;
    let description: RTCSessionDescriptionInit = { type, sdp: BROWSER_AUDIO_SDP };
    for (const modify of modifiers) description = await modify(description);
    this.describedWith.push(options);
    return { body: description.sdp ?? '', contentType: 'application/sdp' };
  }

  hasDescription(contentType: string): boolean {
    return contentType === 'application/sdp';
  }

  async setDescription(): Promise<void> {
    this.assertOpen('setDescription');
    if (this.signaling === 'has-remote-offer') throw new Error('setDescription while a remote offer is unanswered');
    this.signaling = this.signaling === 'stable' ? 'has-remote-offer' : 'stable';
  }

  async rollbackDescription(): Promise<void> {
    this.signaling = 'stable';
  }

  sendDtmf(): boolean {
    return false;
  }

  close(): void {
    this.closed = true;
  }

  /** As the real handler: a new peer connection sending the same microphone track becomes the call's. */
  replacePeerConnection(configuration: RTCConfiguration): { commit(): void; abort(): void } {
    const replaced = this.peerConnection;
    const next = new PeerConnectionFake(new SenderFake(replaced.sender.track));
    next.configuration = configuration;
    next.audioDirection = null; // its transceiver (the track added) is negotiated by the answer to come
    const swap = { configuration, replaced, fate: 'pending' as 'pending' | 'committed' | 'aborted' };
    this.swaps.push(swap);
    this.peerConnection = next;
    return {
      commit: () => {
        swap.fate = 'committed';
        replaced.close();
      },
      abort: () => {
        swap.fate = 'aborted';
        this.peerConnection = replaced;
        next.close();
      },
    };
  }

  enableSenderTracks(enable: boolean): void {
    this.sendersEnabled = enable;
  }

  enableReceiverTracks(enable: boolean): void {
    this.receiversEnabled = enable;
  }

  private assertOpen(what: string): void {
    if (this.closed) throw new Error(`${what} on a closed media handler`);
  }
}

/** The phone's media-handler factory for tests; every handler it makes is appended to `made`. */
export function sessionDescriptionHandlerFakeFactory(made: SessionDescriptionHandlerFake[]): SessionDescriptionHandlerFactory {
  return () => {
    const handler = new SessionDescriptionHandlerFake();
    made.push(handler);
    return handler;
  };
}
