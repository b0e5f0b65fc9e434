/**
 * The carrier's HTTP API (JSON over node:http, bound to --listen only). Tests and the demo use
 * it to place calls "from the PSTN", drive them (DTMF, hold, transfer, hang up) and read what
 * each call heard.
 */
import { createReadStream, existsSync } from 'node:fs';
import http from 'node:http';
import { z } from 'zod';
import type { Call } from './call.js';
import type { CallRegistry } from './call-registry.js';
import type { PlaceCallRequest } from './carrier.js';
import { MEDIA_MODES } from './behaviours.js';

/** Where the API listens, and what it serves: the carrier's calls and a way to place one. */
export interface ApiOptions {
  readonly address: string;
  readonly port: number;
  readonly calls: CallRegistry;
  placeCall(req: PlaceCallRequest): Promise<Call>;
  /** `alice` → `sip:alice@<domain>`; a sip: URI is kept. */
  targetUri(to: string): string;
}

export interface ApiServer {
  close(): Promise<void>;
}

const SIP_USER = /^[A-Za-z0-9+._~-]+$/;
const PlaceCallBody = z.strictObject({
  to: z
    .string()
    .min(1)
    .max(256)
    .refine((s) => SIP_USER.test(s) || /^sip:\S+$/.test(s), 'must be a user (e.g. "alice") or a sip: URI'),
  from: z.string().regex(SIP_USER, 'must be a SIP user part such as +15551230000').max(64).optional(),
  mode: z.enum(MEDIA_MODES).optional(),
  toneHz: z.number().min(100).max(3800).optional(),
});
const DtmfBody = z.strictObject({
  digits: z.string().regex(/^[0-9*#A-Da-d]{1,32}$/, 'must be 1-32 of 0-9 * # A-D'),
  method: z.enum(['rfc4733', 'info']).optional(),
});
const HoldBody = z.strictObject({ hold: z.boolean() });
const ReferBody = z.strictObject({ target: z.string().min(1).max(256) });

const MAX_BODY_BYTES = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parseBody<T>(schema: z.ZodType<T>, raw: string): T {
  let json: unknown;
  try {
    json = raw === '' ? {} : JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    throw new HttpError(400, result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  return result.data;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) reject(new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startApi(opts: ApiOptions): Promise<ApiServer> {
  const findCall = (id: string): Call => {
    const call = opts.calls.byId(id);
    if (!call) throw new HttpError(404, `no call with id ${id}`);
    return call;
  };

  const route = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://carrier');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const callMatch = /^\/calls\/([^/]+)(?:\/(dtmf|hold|refer|recording))?$/.exec(path);
    if (path === '/healthz' && method === 'GET') return send(res, 200, { ok: true, activeCalls: opts.calls.active().length });
    if (path === '/calls' && method === 'GET')
      return send(
        res,
        200,
        opts.calls.all().map((c) => c.view()),
      );
    if (path === '/calls' && method === 'POST') {
      const body = parseBody(PlaceCallBody, await readBody(req));
      const call = await opts.placeCall(body);
      return send(res, 201, { id: call.id });
    }
    if (!callMatch) throw new HttpError(404, `no route ${method} ${path}`);
    let id: string;
    try {
      id = decodeURIComponent(callMatch[1]!);
    } catch {
      throw new HttpError(400, `call id is not valid percent-encoding: ${callMatch[1]}`);
    }
    const call = findCall(id);
    const action = callMatch[2];
    if (!action && method === 'GET') return send(res, 200, call.view());
    if (!action && method === 'DELETE') {
      call.hangup();
      return send(res, 200, { id: call.id, state: call.state });
    }
    if (action === 'recording' && method === 'GET') {
      const path = call.view().recording;
      if (!path || !existsSync(path)) throw new HttpError(404, `call ${call.id} has no recording`);
      res.writeHead(200, { 'content-type': 'audio/wav' });
      createReadStream(path).pipe(res);
      return;
    }
    if (method !== 'POST') throw new HttpError(405, `${method} not allowed on ${path}`);
    try {
      if (action === 'dtmf') {
        const body = parseBody(DtmfBody, await readBody(req));
        await call.sendDtmf(body.digits, body.method ?? 'rfc4733');
        return send(res, 200, { id: call.id, sent: body.digits });
      }
      if (action === 'hold') {
        const body = parseBody(HoldBody, await readBody(req));
        return send(res, 200, { id: call.id, status: await call.setHold(body.hold) });
      }
      const body = parseBody(ReferBody, await readBody(req));
      return send(res, 200, { id: call.id, status: await call.refer(opts.targetUri(body.target)) });
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(409, (err as Error).message);
    }
  };

  const server = http.createServer((req, res) => {
    route(req, res).catch((err: Error) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (!res.headersSent) send(res, status, { error: err.message });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`cannot listen for the API on ${opts.address}:${opts.port}: ${err.message}`)));
    server.listen(opts.port, opts.address, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
