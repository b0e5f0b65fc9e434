import { readFile } from 'node:fs/promises';
import { posix, win32 } from 'node:path';
import { z } from 'zod';

/**
 * Enterprise policy: a JSON file IT deploys next to the app (GPO, MDM, config management) to
 * pre-set what agents should not have to type. Strict: an unknown key is almost always a typo of
 * a known one, and silently ignoring it would leave IT wondering why the policy "does nothing".
 */
export const PolicySchema = z
  .object({
    /** Control plane URL shown (and locked) on the sign-in screen. */
    provisioningUrl: z.string().url().optional(),
    /** Auto-update feed (generic provider) overriding the one in the app. */
    updateFeedUrl: z.string().url().optional(),
  })
  .strict();
export type Policy = z.infer<typeof PolicySchema>;

/** The machine-wide policy location per OS (outside the user's reach on a managed desktop). */
export function policyPath(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string {
  if (platform === 'win32') return win32.join(env['ProgramData'] ?? 'C:\\ProgramData', 'Clearline', 'policy.json');
  if (platform === 'darwin') return posix.join('/Library/Application Support/Clearline', 'policy.json');
  return '/etc/clearline/policy.json';
}

export interface PolicyResult {
  policy: Policy;
  /** Why the file was ignored, naming the file and the offending key; null when fine or absent. */
  problem: string | null;
}

/** Parses policy text; never throws — a broken policy must not stop agents from working. */
export function parsePolicy(text: string, source: string): PolicyResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { policy: {}, problem: `${source} is not valid JSON (${(error as Error).message}); policy ignored` };
  }
  const parsed = PolicySchema.safeParse(json);
  if (parsed.success) return { policy: parsed.data, problem: null };
  const details = parsed.error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')} (known keys: ${Object.keys(PolicySchema.shape).join(', ')})`;
      }
      return `"${issue.path.join('.')}": ${issue.message}`;
    })
    .join('; ');
  return { policy: {}, problem: `${source}: ${details}; policy ignored` };
}

export async function loadPolicy(path: string): Promise<PolicyResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { policy: {}, problem: null };
    return { policy: {}, problem: `cannot read ${path} (${(error as Error).message}); policy ignored` };
  }
  return parsePolicy(text, path);
}
