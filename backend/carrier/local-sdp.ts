/**
 * Our side of the SDP exchange for one call: a stable session id and a version that goes up
 * only when what we describe changes (RFC 3264 §8: an unchanged re-offer keeps its version).
 */
import { randomInt } from 'node:crypto';
import { buildSdp, type LocalDescription } from './sdp.js';

export class LocalSdp {
  private readonly sessionId = String(randomInt(1, 2 ** 31));
  private version = 0;
  private lastDescribed?: string;

  describe(d: Omit<LocalDescription, 'sessionId' | 'version'>): Buffer {
    const key = JSON.stringify(d);
    if (key !== this.lastDescribed) {
      this.version++;
      this.lastDescribed = key;
    }
    return Buffer.from(buildSdp({ ...d, sessionId: this.sessionId, version: this.version }));
  }
}
