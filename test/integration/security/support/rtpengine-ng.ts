/**
 * A client for rtpengine's ng control protocol (bencode over UDP), enough to ask which calls hold
 * media ports: the attack tests prove "rtpengine allocated nothing" by the calls it lists.
 */
import { randomBytes } from 'node:crypto';
import { udpExchange } from '../../../../backend/supervisor/probes.js';

export type Bencoded = string | number | Bencoded[] | { [key: string]: Bencoded };

export function bencode(value: Bencoded): string {
  if (typeof value === 'number') return `i${Math.trunc(value)}e`;
  if (typeof value === 'string') return `${Buffer.byteLength(value)}:${value}`;
  if (Array.isArray(value)) return `l${value.map(bencode).join('')}e`;
  // Dictionary keys are sorted (bencode requires it; rtpengine tolerates either, others do not).
  return `d${Object.keys(value)
    .sort()
    .map((k) => bencode(k) + bencode(value[k]!))
    .join('')}e`;
}

/** Decodes one bencoded value; strings are read as UTF-8 (ng replies carry no binary we need). */
export function bdecode(data: Buffer): Bencoded {
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`bencode: ${why} at byte ${at}`);
  };
  const next = (): Bencoded => {
    const c = String.fromCharCode(data[at] ?? 0);
    if (c === 'i') {
      const end = data.indexOf(0x65 /* e */, at);
      if (end < 0) fail('unterminated integer');
      const n = Number(data.subarray(at + 1, end).toString('latin1'));
      at = end + 1;
      return n;
    }
    if (c === 'l') {
      at++;
      const list: Bencoded[] = [];
      while (data[at] !== 0x65) {
        if (at >= data.length) fail('unterminated list');
        list.push(next());
      }
      at++;
      return list;
    }
    if (c === 'd') {
      at++;
      const dict: { [key: string]: Bencoded } = {};
      while (data[at] !== 0x65) {
        if (at >= data.length) fail('unterminated dictionary');
        const key = next();
        if (typeof key !== 'string') fail('dictionary key is not a string');
        dict[key as string] = next();
      }
      at++;
      return dict;
    }
    if (c >= '0' && c <= '9') {
      const colon = data.indexOf(0x3a /* : */, at);
      if (colon < 0) fail('string without length');
      const len = Number(data.subarray(at, colon).toString('latin1'));
      const s = data.subarray(colon + 1, colon + 1 + len);
      if (s.length !== len) fail('string runs past the end');
      at = colon + 1 + len;
      return s.toString('utf8');
    }
    return fail(`unexpected "${c}"`);
  };
  return next();
}

/** One ng command; rejects when rtpengine does not answer or answers with an error. */
export async function ngCommand(host: string, port: number, command: { [key: string]: Bencoded }): Promise<{ [key: string]: Bencoded }> {
  const cookie = randomBytes(6).toString('hex');
  const reply = await udpExchange(host, port, Buffer.from(`${cookie} ${bencode(command)}`), 2000);
  if (!reply) throw new Error(`rtpengine ng ${host}:${port}: no answer to "${String(command.command)}"`);
  const space = reply.indexOf(0x20);
  if (reply.subarray(0, space).toString('latin1') !== cookie) throw new Error('rtpengine ng: reply to another request (cookie mismatch)');
  const body = bdecode(reply.subarray(space + 1));
  if (typeof body !== 'object' || Array.isArray(body)) throw new Error('rtpengine ng: reply is not a dictionary');
  if (body.result !== 'ok')
    throw new Error(`rtpengine ng "${String(command.command)}": ${String(body.result)} ${String(body['error-reason'] ?? '')}`);
  return body;
}

/** Call-IDs of every call rtpengine currently holds media for. */
export async function rtpengineCallIds(host: string, ngPort: number): Promise<string[]> {
  const reply = await ngCommand(host, ngPort, { command: 'list', limit: 10000 });
  const calls = reply.calls;
  if (!Array.isArray(calls)) throw new Error('rtpengine ng list: no "calls" list in the reply');
  return calls.map(String);
}
