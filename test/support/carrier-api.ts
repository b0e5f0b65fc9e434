/**
 * The simulated carrier's HTTP API as the tests see the PSTN side: place a call to an agent, read
 * what the far end heard (dominant frequency, level, packets), DTMF received, hold, transfer.
 */
export interface CarrierCall {
  readonly id: string;
  readonly state: string;
  readonly held: boolean;
  readonly dtmf: string;
  readonly received: { packets: number; codec: string | null; rmsDbfs: number | null; dominantHz: number | null };
  readonly transferredTo: string | null;
  readonly transferStatus: number | null;
  readonly finalStatus: number | null;
  readonly startedAt: string;
  readonly answeredAt: string | null;
  readonly endedAt: string | null;
  readonly number: string;
  readonly direction: string;
}

/** Still up (ringing or answered): the carrier sets `endedAt` however a call ends (BYE, CANCEL, 4xx–6xx). */
export const isLive = (c: CarrierCall) => c.endedAt === null;

export class CarrierApi {
  constructor(private readonly apiUrl: string) {}

  /** Places a call from the PSTN to `to` (an agent's username); resolves with the carrier's call id. */
  async placeCall(to: string, mode: 'echo' | 'tone' | 'record'): Promise<string> {
    return (await this.request<{ id: string }>('POST', '/calls', { to, mode })).id;
  }

  async call(id: string): Promise<CarrierCall> {
    return this.request('GET', `/calls/${encodeURIComponent(id)}`);
  }

  async calls(): Promise<CarrierCall[]> {
    const body = await this.request<CarrierCall[] | { calls: CarrierCall[] }>('GET', '/calls');
    return Array.isArray(body) ? body : body.calls;
  }

  async hangup(id: string): Promise<void> {
    await this.request('DELETE', `/calls/${encodeURIComponent(id)}`).catch(() => undefined);
  }

  /** Polls until `predicate` holds (bounded); returns the last view, or throws with it. */
  async waitFor(id: string, what: string, predicate: (c: CarrierCall) => boolean, timeoutMs = 10_000): Promise<CarrierCall> {
    const deadline = Date.now() + timeoutMs;
    let last = await this.call(id);
    while (!predicate(last)) {
      if (Date.now() > deadline) throw new Error(`carrier call ${id}: timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 200));
      last = await this.call(id);
    }
    return last;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.apiUrl + path, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`carrier ${method} ${path} → ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
