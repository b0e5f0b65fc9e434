/**
 * Control plane process: `tsx backend/control-plane/main.ts --config FILE`.
 * Opens the database, applies the schema, provisions the demo agents, serves the HTTP API, and
 * prints `control-plane ready` once listening.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ControlPlaneConfigSchema } from './config.js';
import { openDb } from './db.js';
import { migrate } from './schema.js';
import { AgentStore } from './agents.js';
import { AuditStore } from './audit-store.js';
import { buildControlPlane } from './server.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string' } } });
  if (!values.config) throw new Error('--config FILE is required');
  const config = ControlPlaneConfigSchema.parse(JSON.parse(readFileSync(values.config, 'utf8')));
  const db = openDb(config.dbUrl);
  await migrate(db);
  const agents = new AgentStore(db, config.realm);
  for (const a of config.demoAgents) {
    if (!(await agents.verify(a.username, a.password))) await agents.upsert(a.username, a.password, a.displayName);
  }
  const app = buildControlPlane({ config, db, agents, audit: new AuditStore(db) });
  await app.listen({ host: config.listen, port: config.port });
  console.log(`control-plane ready on http://${config.listen}:${config.port}`);

  const shutdown = async () => {
    await app.close();
    await db.close();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: Error) => {
  console.error(`control-plane: ${err.message}`);
  process.exit(1);
});
