/**
 * `npm run bench -- --json`: runs every `test/bench/*.bench.ts` module and prints ONE JSON object,
 * one key per module. Each module measures its subject next to a baseline taken in the same run,
 * so the figures compare on whatever machine runs them.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface Bench {
  /** The key in the output object, e.g. `callSetup`. */
  key: string;
  run(): Promise<Record<string, unknown>>;
}

const here = dirname(fileURLToPath(import.meta.url));
const json = process.argv.includes('--json');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);

const result: Record<string, unknown> = {};
for (const file of readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort()) {
  const bench = (await import(pathToFileURL(join(here, file)).href)).default as Bench;
  if (only && bench.key !== only) continue;
  if (!json) console.error(`[bench] ${bench.key} …`);
  result[bench.key] = await bench.run();
}
console.log(JSON.stringify(result, null, json ? 0 : 2));
