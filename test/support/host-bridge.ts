import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import nodeLog from 'electron-log/node';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import { HOST_API_GLOBAL, eventChannels, type EventChannel, type EventOf } from '../../common/contract/index.js';
import { defaultProbes, probeSipEndpoint } from '../../main/diagnostics/index.js';
import { createDispatcher, type Envelope } from '../../main/ipc/dispatcher.js';
import { createHandlers, type DiagnosticsRunner, type HostHandlers } from '../../main/ipc/handlers.js';
import { configureFileLogging, DEFAULT_FILE_LOG, type Logger } from '../../main/logging/logger.js';
import type { ControlPlaneFetch } from '../../common/control-plane-client.js';
import { createPlainFileSecretStore } from '../../main/provisioning/secret-store.js';
import { isSameOrigin } from '../../common/app-origin.js';

/**
 * Serves the REAL main-process handlers (`createHandlers`, the same dispatcher with its sender
 * check and schemas) to a page driven by Playwright, in place of Electron's preload + ipcMain:
 * the page gets `window.clearline` with the same `HostApi` shape the preload exposes.
 */
export interface HostBridgeOptions {
  /** The page origin allowed to call the host, e.g. `http://127.0.0.1:20080`. */
  origin: string;
  /** Plays userData: settings, history, account, the (unencrypted) secret file, logs. */
  dataDir: string;
  /** Defaults to Node's global fetch (control-plane calls go out from the test process). */
  fetch?: ControlPlaneFetch;
  /** Provisioning URL as if pre-set by enterprise policy. */
  policyUrl?: string | null;
  /** Native diagnostics; null/absent → `diagnostics.run` answers 'not-available'. */
  runDiagnostics?: DiagnosticsRunner | null;
  /** Defaults to electron-log (node) writing `<dataDir>/logs/main.log`, redacted. */
  logger?: Logger;
  version?: string;
}

export interface HostBridge {
  /** Pushes an event to every page's top-level frame, e.g. `system.transition` {kind:'resume'}. */
  emit<E extends EventChannel>(channel: E, event: EventOf<E>): Promise<void>;
  /** The handler table behind the bridge (for assertions that bypass the page). */
  readonly handlers: HostHandlers;
  dispose(): Promise<void>;
}

const BINDING = '__clearlineHostBridge';

/**
 * The in-page half of the bridge, run in every frame before any page script. Kept as plain
 * JavaScript text: a TypeScript function would be transpiled by tsx with helpers (`__name`) that
 * do not exist in the page. Rejections mirror the preload: `[code] message`, name HostError.
 */
const inPageSource = (names: { global: string; binding: string; eventHook: string }) => `(() => {
  const names = ${JSON.stringify(names)};
  const call = window[names.binding];
  const listeners = new Map();
  const api = Object.freeze({
    invoke: async (channel, request) => {
      const envelope = await call(channel, request);
      if (envelope.ok) return envelope.value;
      const error = new Error('[' + envelope.error.code + '] ' + envelope.error.message);
      error.name = 'HostError';
      error.code = envelope.error.code;
      throw error;
    },
    on: (channel, listener) => {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      set.add(listener);
      return () => { set.delete(listener); };
    },
  });
  Object.defineProperty(window, names.global, { value: api, enumerable: true });
  Object.defineProperty(window, names.eventHook, {
    value: (channel, event) => {
      for (const listener of listeners.get(channel) ?? []) {
        try { listener(event); } catch (error) { console.error('listener for ' + channel + ' threw', error); }
      }
    },
  });
})();`;

function defaultLogger(dataDir: string): Logger {
  const log = nodeLog.create({ logId: `host-bridge-${randomBytes(4).toString('hex')}` });
  return configureFileLogging(log, { ...DEFAULT_FILE_LOG, dir: join(dataDir, 'logs') });
}

export async function installHostBridge(target: BrowserContext | Page, options: HostBridgeOptions): Promise<HostBridge> {
  mkdirSync(options.dataDir, { recursive: true });
  const logger = options.logger ?? defaultLogger(options.dataDir);
  const handlers = createHandlers({
    dataDir: options.dataDir,
    secrets: createPlainFileSecretStore(join(options.dataDir, 'secrets.json')),
    fetch: options.fetch ?? fetch,
    now: Date.now,
    logger,
    appInfo: { version: options.version ?? '0.0.0-test', platform: process.platform, shell: 'web' },
    policyUrl: options.policyUrl ?? null,
    openExternal: async (url) => logger.scope('shell').info(`openExternal suppressed in the test harness: ${url}`),
    runDiagnostics: options.runDiagnostics ?? null,
    // Like main: plain Node sockets and Node's trusted roots; no proxy (the harness's Chromium goes direct).
    probeSipEndpoint: (wsUrl) => probeSipEndpoint(wsUrl, defaultProbes({ env: {} })),
    // Like main: the background TURN refresh pushes each new set to the page.
    onTurnCredentials: (turn) => void emitToPages('turn.credentials', turn).catch(() => undefined),
  });

  // A page plays a webContents: ids let the shared sender check reason about them. A page is
  // "ours" when it belongs to the bridged target (that page, or any page of that context).
  const pageIds = new WeakMap<Page, number>();
  const ownIds = new Set<number>();
  let lastId = 0;
  const idOf = (page: Page): number => {
    const known = pageIds.get(page);
    if (known !== undefined) return known;
    lastId += 1;
    pageIds.set(page, lastId);
    return lastId;
  };
  const isOwnPage = (page: Page) => ('mainFrame' in target ? page === target : page.context() === target);
  const dispatch = createDispatcher(
    handlers.table,
    { isOwnWebContents: (id) => ownIds.has(id), origin: options.origin },
    logger.scope('ipc'),
  );

  const eventHook = `__clearlineHostEvent_${randomBytes(8).toString('hex')}`;
  const deliver = async (frame: Frame, channel: EventChannel, event: unknown) => {
    await frame
      .evaluate(([hook, ch, ev]) => (window as unknown as Record<string, (c: unknown, e: unknown) => void>)[hook as string]?.(ch, ev), [
        eventHook,
        channel,
        event,
      ] as const)
      .catch(() => undefined); // the frame navigated away or closed: nobody left to tell
  };

  let disposed = false;
  await target.exposeBinding(BINDING, async (source, channel: unknown, request: unknown): Promise<Envelope> => {
    if (disposed) return { ok: false, error: { code: 'not-available', message: 'host bridge disposed' } };
    const page = source.page;
    const id = idOf(page);
    if (isOwnPage(page)) ownIds.add(id);
    const frame = source.frame;
    return dispatch(
      String(channel),
      { webContentsId: id, frame: { url: frame.url(), isMainFrame: frame.parentFrame() === null } },
      request,
      (ch, event) => void deliver(frame, ch, event),
    );
  });
  await target.addInitScript(inPageSource({ global: HOST_API_GLOBAL, binding: BINDING, eventHook }));

  async function emitToPages<E extends EventChannel>(channel: E, event: EventOf<E>): Promise<void> {
    const payload = eventChannels[channel].parse(event);
    // Like webContents.send to our window: top-level documents of our origin only.
    const pages = 'mainFrame' in target ? [target] : target.pages();
    const ours = pages.filter((p) => !p.isClosed() && isSameOrigin(p.url(), options.origin));
    await Promise.all(ours.map((p) => deliver(p.mainFrame(), channel, payload)));
  }

  return {
    handlers,
    emit: emitToPages,
    async dispose() {
      disposed = true;
      handlers.dispose();
    },
  };
}
