import { join } from 'node:path';
import { NetworkReportSchema, reportOwnerUrl, type NetworkReport } from '../../common/network-report.js';
import type { ScopedLogger } from '../logging/logger.js';
import { readJsonOrReset, writeJsonAtomic } from './json-file.js';
import { ownerFileName, type StorageOwner } from './owner-file-name.js';
import { serialQueue } from './serial-queue.js';

const LastReportFileSchema = NetworkReportSchema.nullable();

/**
 * The last network test per agent in `<userData>/network-reports/<hash>.json`, shown again when the
 * panel opens. Before sign-in the owner is the provisioning URL with no username. A report holds
 * measurements and host names, never a password or TURN credential, and is read back through its
 * schema (a damaged file is set aside, like every store here).
 */
export class NetworkReportStore {
  readonly #dir: string;
  readonly #log: ScopedLogger;
  readonly #serial = serialQueue();

  constructor(dataDir: string, log: ScopedLogger) {
    this.#dir = join(dataDir, 'network-reports');
    this.#log = log;
  }

  last(owner: StorageOwner): Promise<NetworkReport | null> {
    return readJsonOrReset(this.#file(owner), LastReportFileSchema, () => null, this.#log);
  }

  keep(owner: StorageOwner, report: NetworkReport): Promise<void> {
    return this.#serial(() => writeJsonAtomic(this.#file(owner), report));
  }

  #file(owner: StorageOwner): string {
    return join(this.#dir, ownerFileName({ url: reportOwnerUrl(owner.url), username: owner.username }));
  }
}
