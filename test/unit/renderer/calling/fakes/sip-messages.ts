/**
 * Reading and answering the SIP text the phone sends through the transport fake: just enough of
 * RFC 3261 for a registrar and a far end that the tests script (a response copies Via, From,
 * Call-ID and CSeq; To gets the far end's tag).
 */
export const FAR_END_TAG = 'far-end';

export function startLine(message: string): string {
  return message.slice(0, message.indexOf('\r\n'));
}

/** The request's method, or null for a response. */
export function methodOf(message: string): string | null {
  const first = startLine(message);
  return first.startsWith('SIP/2.0 ') ? null : first.split(' ')[0]!;
}

export function header(message: string, name: string): string {
  const head = message.slice(0, message.indexOf('\r\n\r\n'));
  return new RegExp(`^${name}:[ \\t]*(.*)$`, 'mi').exec(head)?.[1] ?? '';
}

export interface ResponseParts {
  readonly headers?: readonly string[];
  readonly body?: { readonly contentType: string; readonly content: string };
}

export function responseTo(request: string, status: string, parts: ResponseParts = {}): string {
  const to = header(request, 'To');
  const body = parts.body?.content ?? '';
  return [
    `SIP/2.0 ${status}`,
    ...request
      .slice(0, request.indexOf('\r\n\r\n'))
      .split('\r\n')
      .filter((line) => /^Via:/i.test(line)),
    `From: ${header(request, 'From')}`,
    `To: ${/;tag=/.test(to) ? to : `${to};tag=${FAR_END_TAG}`}`,
    `Call-ID: ${header(request, 'Call-ID')}`,
    `CSeq: ${header(request, 'CSeq')}`,
    ...(parts.headers ?? []),
    ...(parts.body ? [`Content-Type: ${parts.body.contentType}`] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** 200 to a REGISTER, binding the contact it asked for. */
export function registered(request: string): string {
  return responseTo(request, '200 OK', { headers: [`Contact: ${header(request, 'Contact')};expires=300`, 'Expires: 300'] });
}

/** A request the far end sends inside the dialog an INVITE of ours set up (its 200 had our To tag). */
export function inDialogRequest(invite: string, method: string, cseq: number): string {
  const uri = /<([^>]+)>/.exec(header(invite, 'Contact'))?.[1] ?? '';
  return [
    `${method} ${uri} SIP/2.0`,
    'Via: SIP/2.0/WSS far-end.invalid;branch=z9hG4bK-far-' + String(cseq),
    'Max-Forwards: 70',
    `From: ${header(invite, 'To')};tag=${FAR_END_TAG}`,
    `To: ${header(invite, 'From')}`,
    `Call-ID: ${header(invite, 'Call-ID')}`,
    `CSeq: ${cseq} ${method}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** An INVITE from `caller` to alice, with an SDP offer, as the proxy delivers it over the WebSocket. */
export function incomingInvite(caller: string, callId: string, sdp: string): string {
  return [
    `INVITE sip:alice@clearline.test;transport=ws SIP/2.0`,
    `Via: SIP/2.0/WSS far-end.invalid;branch=z9hG4bK-${callId}`,
    'Max-Forwards: 70',
    `From: "${caller}" <sip:${caller}@clearline.test>;tag=${FAR_END_TAG}`,
    'To: <sip:alice@clearline.test>',
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:${caller}@far-end.invalid;transport=ws>`,
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    '',
    sdp,
  ].join('\r\n');
}

/** The caller's ACK to `ok`, the 2xx we sent to its INVITE (sent to the Contact that 2xx gave). */
export function ackTo(ok: string): string {
  const uri = /<([^>]+)>/.exec(header(ok, 'Contact'))?.[1] ?? '';
  return [
    `ACK ${uri} SIP/2.0`,
    'Via: SIP/2.0/WSS far-end.invalid;branch=z9hG4bK-far-ack',
    'Max-Forwards: 70',
    `From: ${header(ok, 'From')}`,
    `To: ${header(ok, 'To')}`,
    `Call-ID: ${header(ok, 'Call-ID')}`,
    `CSeq: ${header(ok, 'CSeq').split(' ')[0]} ACK`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
