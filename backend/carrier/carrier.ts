/**
 * Composition of the simulated carrier's SIP side: transport + transactions, the calls and the
 * per-number behaviours. `startCarrier` is the programmatic entry point; the HTTP API (api.ts) is
 * handed what it serves (the calls, placing a call) by whoever starts both — main.ts, the CLI.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ANSWER_DELAY_MS, behaviourFor, type CarrierNumbers, type MediaMode } from './behaviours.js';
import { Call, type CarrierCallContext, type OutgoingCallOptions } from './call.js';
import { ALLOW } from './call-core.js';
import { CallRegistry } from './call-registry.js';
import { MediaPortAllocator } from './media/port-allocator.js';
import { parseSipUri } from './sip/address.js';
import { SipEndpoint, type ServerTransaction, type TransactionUser } from './sip/endpoint.js';
import { createResponse, headerValue, headerValues, type SipRequest } from './sip/message.js';
import { UdpTransport, type RemoteAddress } from './sip/udp-transport.js';
import { runBlindTransfer } from './transfer.js';

export interface CarrierOptions {
  readonly listen: string;
  readonly sipPort: number;
  readonly mediaMin: number;
  readonly mediaMax: number;
  readonly proxy: RemoteAddress;
  readonly domain: string;
  readonly stateDir: string;
  readonly numbers: CarrierNumbers;
  readonly log?: (line: string) => void;
  /** Log every SIP message (main.ts: environment variable CARRIER_SIP_TRACE=1). */
  readonly sipTrace?: boolean;
}

export interface RunningCarrier {
  readonly sipPort: number;
  readonly calls: CallRegistry;
  /** Places a call towards `to` (a user at --domain, or a full sip: URI) through the proxy. */
  placeCall(req: PlaceCallRequest): Promise<Call>;
  /** `alice` → `sip:alice@<domain>`; a sip: URI is kept. */
  targetUri(to: string): string;
  stop(): Promise<void>;
}

export interface PlaceCallRequest {
  readonly to: string;
  readonly from?: string;
  readonly mode?: MediaMode;
  readonly toneHz?: number;
}

export const DEFAULT_CALLER = '+15551230000';
const KNOWN_UNSUPPORTED = new Set(['REGISTER', 'MESSAGE', 'SUBSCRIBE', 'PUBLISH', 'UPDATE', 'PRACK']);
/** How long shutdown waits for BYE/CANCEL answers before closing sockets (CLI exits within 2 s). */
const SHUTDOWN_GRACE_MS = 600;

class Carrier implements TransactionUser {
  readonly calls = new CallRegistry();
  private readonly answerTimers = new Set<NodeJS.Timeout>();
  readonly context: CarrierCallContext;

  constructor(
    private readonly opts: CarrierOptions,
    endpoint: SipEndpoint,
    private readonly log: (line: string) => void,
  ) {
    const recordingsDir = join(opts.stateDir, 'recordings');
    mkdirSync(recordingsDir, { recursive: true });
    this.context = {
      endpoint,
      proxy: opts.proxy,
      recordingsDir,
      localAddress: opts.listen,
      mediaPorts: new MediaPortAllocator(opts.listen, opts.mediaMin, opts.mediaMax),
      log,
      via: (branch) => `SIP/2.0/UDP ${opts.listen}:${opts.sipPort};rport;branch=${branch}`,
      contact: (user) => `<sip:${user}@${opts.listen}:${opts.sipPort}>`,
      transfer: (call, target, referredBy) => {
        void runBlindTransfer(call, target, referredBy, (o) => this.startOutgoing(o), log);
      },
    };
  }

  onRequest(req: SipRequest, tx: ServerTransaction): void {
    if (!parseSipUri(req.uri)) {
      tx.respond(createResponse(req, 416));
      return;
    }
    // We implement no SIP extensions, so any required one is unsupported (RFC 3261 §8.2.2.3).
    const required = headerValues(req, 'Require');
    if (required.length > 0) {
      tx.respond(createResponse(req, 420, { headers: [{ name: 'Unsupported', value: required.join(', ') }] }));
      return;
    }
    const hasToTag = /;\s*tag=/i.test(headerValue(req, 'To') ?? '');
    if (hasToTag) {
      const call = this.calls.forDialog(req);
      if (call) call.handleRequest(req, tx);
      else if (req.method === 'OPTIONS') this.answerOptions(req, tx);
      else tx.respond(createResponse(req, 481));
      return;
    }
    switch (req.method) {
      case 'INVITE':
        this.onNewInvite(req, tx);
        return;
      case 'OPTIONS':
        this.answerOptions(req, tx);
        return;
      case 'BYE':
      case 'INFO':
      case 'REFER':
      case 'NOTIFY':
        tx.respond(createResponse(req, 481));
        return;
      default:
        tx.respond(createResponse(req, KNOWN_UNSUPPORTED.has(req.method) ? 405 : 501, { headers: [{ name: 'Allow', value: ALLOW }] }));
    }
  }

  onAck(ack: SipRequest): void {
    this.calls.forDialog(ack)?.handleAck(ack);
  }

  onCancel(invite: ServerTransaction): void {
    const callId = headerValue(invite.request, 'Call-ID');
    this.calls
      .all()
      .find((c) => c.id === callId && c.direction === 'incoming' && c.state === 'ringing')
      ?.handleCancel();
  }

  async startOutgoing(o: OutgoingCallOptions): Promise<Call> {
    const call = await Call.outgoing(this.context, o);
    this.calls.add(call);
    this.log(`call ${call.id}: outgoing to ${o.target} (${o.mode})`);
    return call;
  }

  targetUri(to: string): string {
    return to.startsWith('sip:') ? to : `sip:${to}@${this.opts.domain}`;
  }

  placeCall(req: PlaceCallRequest): Promise<Call> {
    const target = this.targetUri(req.to);
    return this.startOutgoing({ target, fromUser: req.from ?? DEFAULT_CALLER, mode: req.mode ?? 'tone', toneHz: req.toneHz });
  }

  async stop(): Promise<void> {
    for (const t of this.answerTimers) clearTimeout(t);
    const active = this.calls.active();
    for (const call of active) call.hangup();
    if (active.length > 0) await sleep(SHUTDOWN_GRACE_MS);
    for (const call of this.calls.active()) call.terminateLocally();
  }

  private answerOptions(req: SipRequest, tx: ServerTransaction): void {
    tx.respond(
      createResponse(req, 200, {
        headers: [
          { name: 'Allow', value: ALLOW },
          { name: 'Accept', value: 'application/sdp, application/dtmf-relay, application/dtmf, message/sipfrag' },
        ],
      }),
    );
  }

  private onNewInvite(req: SipRequest, tx: ServerTransaction): void {
    const uri = parseSipUri(req.uri)!; // checked in onRequest
    const number = uri.user ?? '';
    const behaviour = behaviourFor(this.opts.numbers, uri.user);
    const mode = behaviour.kind === 'answer' ? behaviour.mode : undefined;
    const call = Call.incoming(this.context, req, tx, number, behaviour.role, mode);
    this.calls.add(call);
    this.log(`call ${call.id}: incoming for ${number} → ${behaviour.role}`);
    if (behaviour.kind === 'reject') {
      call.reject(behaviour.status);
      return;
    }
    call.ring();
    if (behaviour.kind === 'answer') {
      const timer = setTimeout(() => {
        this.answerTimers.delete(timer);
        call.answer().catch((err: Error) => {
          this.log(`call ${call.id}: cannot answer: ${err.message}`);
          call.reject(503);
        });
      }, ANSWER_DELAY_MS);
      this.answerTimers.add(timer);
    }
  }
}

export async function startCarrier(opts: CarrierOptions): Promise<RunningCarrier> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`[carrier] ${line}\n`));
  const transport = new UdpTransport(log, opts.sipTrace ?? false);
  const endpoint = new SipEndpoint(transport);
  const carrier = new Carrier(opts, endpoint, log);
  endpoint.setUser(carrier);
  await transport.listen(opts.listen, opts.sipPort);
  let stopped: Promise<void> | undefined;
  return {
    sipPort: opts.sipPort,
    calls: carrier.calls,
    placeCall: (r) => carrier.placeCall(r),
    targetUri: (t) => carrier.targetUri(t),
    stop: () =>
      (stopped ??= (async () => {
        await carrier.stop();
        endpoint.close();
        await transport.close();
      })()),
  };
}
