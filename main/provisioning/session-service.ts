import { join } from 'node:path';
import { z } from 'zod';
import {
  ClientConfigSchema,
  type ClientConfig,
  type Session,
  type SignInRequest,
  type TurnCredentials,
} from '../../common/contract/index.js';
import { HostError } from '../../common/host-error.js';
import type { NetworkReport } from '../../common/network-report.js';
import type { CallQualityReport } from '../../common/quality/call-quality-report.js';
import type { ScopedLogger } from '../logging/logger.js';
import { readJsonOrReset, writeJsonAtomic } from '../storage/json-file.js';
import {
  fetchClientConfig,
  fetchTurnCredentials,
  sendCallQualityReport,
  sendNetworkReport,
  type ControlPlaneAccount,
  type ControlPlaneFetch,
} from '../../common/control-plane-client.js';
import { UnreadableSecretError, type SecretStore } from './secret-store.js';
import { TurnKeeper } from '../../common/turn-keeper.js';
import type { Timers } from '../../common/timers.js';

/**
 * Who signed in last and the configuration they got (no secret): restores the session,
 * pre-fills the sign-in form, and lets the window's CSP name the right hosts at startup.
 */
const AccountFileSchema = z.object({
  url: z.string().url(),
  username: z.string().min(1),
  config: ClientConfigSchema.nullable(),
});
type AccountFile = z.infer<typeof AccountFileSchema>;

export const PASSWORD_SECRET_KEY = 'provisioning.password';

export interface SessionServiceDeps {
  dataDir: string;
  secrets: SecretStore;
  fetch: ControlPlaneFetch;
  now: () => number;
  timers: Timers;
  log: ScopedLogger;
  /** Told whenever the active configuration changes (sign-in, restore, sign-out). */
  onConfigChange?: (config: ClientConfig | null) => void;
  /** Told about each set of TURN credentials the background refresh fetched (pushed to the renderer). */
  onTurnCredentials?: (turn: TurnCredentials) => void;
}

/** Sign-in, restore on restart, sign-out, and fresh TURN credentials for the signed-in agent. */
export class SessionService {
  readonly #accountPath: string;
  #active: { account: ControlPlaneAccount; session: Session; turn: TurnKeeper } | null = null;

  constructor(private readonly deps: SessionServiceDeps) {
    this.#accountPath = join(deps.dataDir, 'account.json');
  }

  get session(): Session | null {
    return this.#active?.session ?? null;
  }

  /** Who is signed in (control plane and username), or null: what per-agent data is keyed by. */
  get agent(): { url: string; username: string } | null {
    return this.#active ? { url: this.#active.account.url, username: this.#active.account.username } : null;
  }

  /** Sends a network test report to the helpdesk as the signed-in agent. */
  async sendNetworkReport(report: NetworkReport): Promise<{ id: string }> {
    if (!this.#active) throw new HostError('not-signed-in', 'sign in first: a report is sent as the signed-in agent');
    return sendNetworkReport(this.deps.fetch, this.#active.account, report);
  }

  /** Sends a call's quality summary as the signed-in agent. */
  async sendCallQualityReport(report: CallQualityReport): Promise<{ stored: boolean }> {
    if (!this.#active) throw new HostError('not-signed-in', 'sign in first: a quality summary is sent as the signed-in agent');
    return sendCallQualityReport(this.deps.fetch, this.#active.account, report);
  }

  async lastUsername(): Promise<string | null> {
    return (await this.#readAccount())?.username ?? null;
  }

  /**
   * The configuration of the last sign-in at `url` that worked on this desktop (it holds no
   * secret): the servers the network test checks when it cannot ask the control plane.
   */
  async lastConfigAt(url: string): Promise<ClientConfig | null> {
    const saved = await this.#readAccount();
    return saved && saved.url === url ? saved.config : null;
  }

  /**
   * The active configuration, else the one remembered from the last session (for the CSP). An
   * unreadable saved password counts as signed out: start-up must go on to the sign-in form.
   */
  async currentConfig(): Promise<ClientConfig | null> {
    if (this.#active) return this.#active.session.config;
    const saved = await this.#readAccount();
    return saved && (await this.#savedPassword()) ? saved.config : null;
  }

  async signIn(request: SignInRequest): Promise<Session> {
    const account = { url: request.url, username: request.username, password: request.password };
    const session = await this.#open(account);
    await this.deps.secrets.set(PASSWORD_SECRET_KEY, account.password);
    if (this.deps.secrets.protection !== 'os-encrypted') {
      this.deps.log.warn(
        `password stored WITHOUT OS encryption (${this.deps.secrets.protection}): readable by anyone who can read the file`,
      );
    }
    this.deps.log.info(`signed in as ${account.username} at ${new URL(account.url).host}`);
    return session;
  }

  /**
   * The remembered session, or null when nobody is signed in. A rejected password is forgotten.
   * A saved password that cannot be read is a 'secret-unreadable' error the sign-in form shows;
   * the next sign-in overwrites it.
   */
  async restore(): Promise<Session | null> {
    if (this.#active) return this.#active.session;
    const saved = await this.#readAccount();
    if (!saved) return null;
    let password: string | null;
    try {
      password = await this.deps.secrets.get(PASSWORD_SECRET_KEY);
    } catch (error) {
      if (!(error instanceof UnreadableSecretError)) throw error;
      this.deps.log.error(`saved password unreadable, sign-in needed: ${error.message}`);
      throw new HostError(
        'secret-unreadable',
        `Your saved password could not be read (the file is damaged or was sealed with another system key). Sign in again as ${saved.username}.`,
      );
    }
    if (!password) return null;
    try {
      return await this.#open({ ...saved, password });
    } catch (error) {
      if (error instanceof HostError && error.code === 'unauthorized') {
        await this.deps.secrets.delete(PASSWORD_SECRET_KEY);
        this.deps.log.warn(`stored password for ${saved.username} was rejected; signed out`);
      }
      throw error;
    }
  }

  async signOut(): Promise<void> {
    const wasActive = this.#active !== null;
    this.#close();
    await this.deps.secrets.delete(PASSWORD_SECRET_KEY);
    if (wasActive) this.deps.onConfigChange?.(null);
    this.deps.log.info('signed out');
  }

  async turnCredentials(): Promise<TurnCredentials> {
    if (!this.#active) throw new HostError('not-signed-in', 'sign in first');
    return this.#active.turn.current();
  }

  /** Stops the background TURN refresh (app quit, harness dispose). */
  dispose(): void {
    this.#close();
  }

  async #open(account: ControlPlaneAccount): Promise<Session> {
    const [config, turn] = await Promise.all([fetchClientConfig(this.deps.fetch, account), fetchTurnCredentials(this.deps.fetch, account)]);
    this.#close();
    const session: Session = { config, password: account.password, turn };
    const keeper = new TurnKeeper(turn, () => fetchTurnCredentials(this.deps.fetch, account), {
      ...this.deps,
      onUpdate: (next) => {
        if (this.#active?.turn === keeper) this.#active.session = { ...this.#active.session, turn: next };
        this.deps.onTurnCredentials?.(next);
      },
    });
    this.#active = { account, session, turn: keeper };
    await writeJsonAtomic(this.#accountPath, { url: account.url, username: account.username, config } satisfies AccountFile);
    this.deps.onConfigChange?.(config);
    return session;
  }

  #close(): void {
    this.#active?.turn.stop();
    this.#active = null;
  }

  /** The saved password; null when there is none or it cannot be read (restore() reports that). */
  async #savedPassword(): Promise<string | null> {
    try {
      return await this.deps.secrets.get(PASSWORD_SECRET_KEY);
    } catch (error) {
      if (error instanceof UnreadableSecretError) return null;
      throw error;
    }
  }

  #readAccount(): Promise<AccountFile | null> {
    return readJsonOrReset(this.#accountPath, AccountFileSchema.nullable(), () => null, this.deps.log);
  }
}
