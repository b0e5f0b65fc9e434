/**
 * A SIP dialog (RFC 3261 §12): the state both ends keep so that in-dialog requests carry the
 * right tags, CSeq, Request-URI (the peer's Contact) and Route set (from Record-Route).
 * Loose routing only (`;lr`), which is what Kamailio's rr module emits.
 */
import { hostPortOf, parseNameAddr } from './address.js';
import { newBranch } from './ids.js';
import { createRequest, headerValue, headerValues, parseCSeq, type SipHeader, type SipRequest, type SipResponse } from './message.js';
import type { RemoteAddress } from './udp-transport.js';

export interface DialogState {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** Our own From/To entry, e.g. `<sip:5550100@127.0.0.1:20040>;tag=abc`. */
  readonly localAddress: string;
  readonly remoteAddress: string;
  remoteTarget: string;
  readonly routeSet: string[];
  localSeq: number;
  remoteSeq: number;
}

const tagOf = (value: string | undefined) => (value ? (parseNameAddr(value)?.params.get('tag') ?? undefined) : undefined);

function contactUri(msg: SipRequest | SipResponse): string | undefined {
  const contact = headerValues(msg, 'Contact')[0];
  return contact ? parseNameAddr(contact)?.uri : undefined;
}

export class Dialog {
  private constructor(private readonly state: DialogState) {}

  get callId(): string {
    return this.state.callId;
  }

  get localTag(): string {
    return this.state.localTag;
  }

  get remoteTag(): string {
    return this.state.remoteTag;
  }

  get remoteTarget(): string {
    return this.state.remoteTarget;
  }

  get localAddress(): string {
    return this.state.localAddress;
  }

  get remoteAddress(): string {
    return this.state.remoteAddress;
  }

  /** UAS side: built from the INVITE we answer with a To tag of our choosing. */
  static fromIncomingInvite(invite: SipRequest, localTag: string): Dialog | undefined {
    const remoteTag = tagOf(headerValue(invite, 'From'));
    const target = contactUri(invite);
    const cseq = parseCSeq(headerValue(invite, 'CSeq'));
    if (!remoteTag || !target || !cseq) return undefined;
    return new Dialog({
      callId: headerValue(invite, 'Call-ID')!,
      localTag,
      remoteTag,
      localAddress: `${headerValue(invite, 'To')!};tag=${localTag}`,
      remoteAddress: headerValue(invite, 'From')!,
      remoteTarget: target,
      routeSet: headerValues(invite, 'Record-Route'),
      localSeq: 0,
      remoteSeq: cseq.seq,
    });
  }

  /** UAC side: built from the 2xx to our INVITE (Route set is Record-Route reversed). */
  static fromOutgoingInvite(invite: SipRequest, response: SipResponse): Dialog | undefined {
    const localTag = tagOf(headerValue(invite, 'From'));
    const remoteTag = tagOf(headerValue(response, 'To'));
    const target = contactUri(response);
    const cseq = parseCSeq(headerValue(invite, 'CSeq'));
    if (!localTag || !remoteTag || !target || !cseq) return undefined;
    return new Dialog({
      callId: headerValue(invite, 'Call-ID')!,
      localTag,
      remoteTag,
      localAddress: headerValue(invite, 'From')!,
      remoteAddress: headerValue(response, 'To')!,
      remoteTarget: target,
      routeSet: headerValues(response, 'Record-Route').reverse(),
      localSeq: cseq.seq,
      remoteSeq: 0,
    });
  }

  /** Does this in-dialog request belong to us? (Call-ID and both tags, RFC 3261 §12.2.2.) */
  matches(req: SipRequest): boolean {
    return (
      headerValue(req, 'Call-ID') === this.state.callId &&
      tagOf(headerValue(req, 'To')) === this.state.localTag &&
      tagOf(headerValue(req, 'From')) === this.state.remoteTag
    );
  }

  /**
   * Checks the CSeq of an in-dialog request: older than the last one seen means out of order
   * (answer 500), otherwise it becomes the new remote CSeq. A target refresh updates the Contact.
   */
  acceptRemoteRequest(req: SipRequest): boolean {
    const cseq = parseCSeq(headerValue(req, 'CSeq'));
    if (!cseq) return false;
    if (req.method !== 'ACK' && req.method !== 'CANCEL') {
      if (this.state.remoteSeq !== 0 && cseq.seq <= this.state.remoteSeq) return false;
      this.state.remoteSeq = cseq.seq;
    }
    if (req.method === 'INVITE' || req.method === 'UPDATE') {
      const target = contactUri(req);
      if (target) this.state.remoteTarget = target;
    }
    return true;
  }

  /** A new in-dialog request with the next local CSeq (ACK and CANCEL reuse the INVITE's). */
  createRequest(
    method: string,
    via: (branch: string) => string,
    opts: { cseq?: number; headers?: SipHeader[]; body?: Buffer } = {},
  ): SipRequest {
    const seq = opts.cseq ?? ++this.state.localSeq;
    const headers: SipHeader[] = [
      { name: 'Via', value: via(newBranch()) },
      { name: 'Max-Forwards', value: '70' },
      ...this.state.routeSet.map((r) => ({ name: 'Route', value: r })),
      { name: 'From', value: this.state.localAddress },
      { name: 'To', value: this.state.remoteAddress },
      { name: 'Call-ID', value: this.state.callId },
      { name: 'CSeq', value: `${seq} ${method}` },
      ...(opts.headers ?? []),
    ];
    return createRequest(method, this.state.remoteTarget, headers, opts.body);
  }

  /** Next hop for in-dialog requests: the first Route entry, or the remote target itself. */
  nextHop(): RemoteAddress | undefined {
    const first = this.state.routeSet[0];
    const uri = first ? parseNameAddr(first)?.uri : this.state.remoteTarget;
    const hp = uri ? hostPortOf(uri) : undefined;
    return hp ? { address: hp.host, port: hp.port } : undefined;
  }
}
