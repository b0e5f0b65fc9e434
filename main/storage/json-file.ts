import { mkdir, readFile, rename, writeFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import type { ScopedLogger } from '../logging/logger.js';

/**
 * Writes JSON so that a crash or power loss mid-write leaves either the old or the new file,
 * never a torn one: write a sibling temp file, then rename over (atomic on one filesystem).
 */
export async function writeJsonAtomic(path: string, value: unknown, mode = 0o600): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, { mode });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Reads a JSON file through its schema. Missing → the fallback. Unreadable JSON or a value the
 * schema rejects → the file is kept aside as `<path>.corrupt-<time>` (so support can look at it),
 * a warning is logged, and the fallback is returned: a damaged settings file must never stop
 * the app from starting.
 */
export async function readJsonOrReset<S extends z.ZodType>(
  path: string,
  schema: S,
  fallback: () => z.output<S>,
  log: ScopedLogger,
  now: () => number = Date.now,
): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fallback();
    throw error;
  }
  let problem: string;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
    problem = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  } catch (error) {
    problem = `not valid JSON (${(error as Error).message})`;
  }
  const backup = `${path}.corrupt-${now()}`;
  await rename(path, backup);
  log.warn(`${path} was unreadable (${problem}); kept it as ${backup} and started from defaults`);
  return fallback();
}
