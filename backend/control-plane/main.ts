/**
 * Control plane process: `tsx backend/control-plane/main.ts --config FILE`.
 * Serves the HTTP API at once (/healthz answers 503 while the database is not usable), then
 * connects to the database — retrying with backoff while it is down, so a control plane restarted
 * during a database outage waits for it instead of crash-looping — applies the schema, provisions
 * the demo agents, starts the audit retention purge, and prints `control-plane ready` once the API can serve.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { ControlPlaneConfigSchema, type ControlPlaneConfig } from './config.js';
import { DatabaseUnavailableError, openDb, type Db } from './db.js';
import { migrate } from './schema.js';
import { AgentStore } from './agents.js';
import { AuditStore } from './audit-store.js';
import { buildControlPlane } from './server.js';
import { serveControlPlane, type Listeners } from './listeners.js';
import { DEFAULT_AUDIT_RETENTION_DAYS, scheduleRetention } from './retention.js';
import { backoffDelayMs, type BackoffPolicy } from '../../common/backoff.js';

/** Reconnect quickly after a blip, at most every 5 s during a long outage. */
const DB_RETRY: BackoffPolicy = { baseMs: 250, maxMs: 5000 };

const log = (line: string) => console.error(`control-plane: ${line}`);

/**
 * Applies the schema, provisions the demo agents (demo mode) or removes those a demo run left
 * behind (production), retrying while the database is unavailable.
 */
async function prepareDatabase(
  db: Db,
  agents: AgentStore,
  config: Pick<ControlPlaneConfig, 'demoAgents' | 'retiredDemoAgents'>,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await migrate(db);
      for (const a of config.demoAgents) {
        if (!(await agents.verify(a.username, a.password))) await agents.upsert(a.username, a.password, a.displayName);
      }
      for (const a of config.retiredDemoAgents ?? []) {
        if ((await agents.verify(a.username, a.password)) && (await agents.remove(a.username))) {
          log(`removed demo agent ${a.username}: this stack is not in demo mode`);
        }
      }
      return;
    } catch (err) {
      if (!(err instanceof DatabaseUnavailableError)) throw err;
      const delayMs = backoffDelayMs(DB_RETRY, attempt);
      const cause = err.cause as { code?: string } | undefined;
      log(`database unavailable (${cause?.code ?? 'no code'}), attempt ${attempt}; retrying in ${(delayMs / 1000).toFixed(1)} s`);
      await sleep(delayMs);
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string' } } });
  if (!values.config) throw new Error('--config FILE is required');
  const config = ControlPlaneConfigSchema.parse(JSON.parse(readFileSync(values.config, 'utf8')));
  const db = openDb(config.dbUrl, log);
  let schemaReady = false;
  // Until the schema is applied the API cannot serve: /healthz says so like any other outage.
  const served: Db = {
    ...db,
    ping: async () => {
      if (!schemaReady) throw new DatabaseUnavailableError(new Error('schema not applied yet'));
      await db.ping();
    },
  };
  const agents = new AgentStore(served, config.realm);
  const app = buildControlPlane({ config, db: served, agents, audit: new AuditStore(served), log });

  let stopRetention = () => {};
  let listeners: Listeners | null = null;
  const shutdown = async () => {
    stopRetention();
    await listeners?.close();
    await app.close();
    await db.close();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);

  listeners = await serveControlPlane(app, config);
  await prepareDatabase(db, agents, config);
  schemaReady = true;
  stopRetention = scheduleRetention({ db, retentionDays: config.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS, now: Date.now, log });
  console.log(`control-plane ready on ${listeners.description}`);
}

main().catch((err: Error) => {
  console.error(`control-plane: ${err.message}`);
  process.exit(1);
});
