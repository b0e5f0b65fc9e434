/**
 * The files a stack generates (backend/stack-files.ts: Kamailio, coturn and control-plane
 * configs, the local CA), written into a state directory of their own as the stack writes them
 * before it starts anything — for tests that read the generated configs and start no process.
 * The directory is removed when the test ends.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { REPO_ROOT } from '../../backend/stack.js';
import { writeStackFiles, type StackFiles } from '../../backend/stack-files.js';
import { resolveStackOptions, type ResolvedOptions, type StackOptions } from '../../backend/stack-options.js';

export async function generatedStackFiles(
  t: Pick<TestContext, 'after'>,
  options: Omit<StackOptions, 'stateDir'> = {},
): Promise<{ options: ResolvedOptions; files: StackFiles }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'clearline-stack-files-'));
  t.after(() => rmSync(stateDir, { recursive: true, force: true }));
  const confDir = join(stateDir, 'config');
  const runDir = join(stateDir, 'run');
  for (const d of [confDir, runDir]) mkdirSync(d, { recursive: true });
  const resolved = resolveStackOptions({ stateDir, ...options });
  return { options: resolved, files: await writeStackFiles(resolved, { repoRoot: REPO_ROOT, confDir, runDir }, []) };
}
