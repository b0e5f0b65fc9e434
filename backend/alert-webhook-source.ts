/**
 * Where the backend CLI takes the alert webhook URL from. The URL carries its receiver's secret
 * (Slack, Teams and most incident tools put it in the path or query), and a process's command
 * line is readable by every local user (`ps`, /proc/PID/cmdline): so a file (0600, like
 * `--tls-key`) or the environment (/proc/PID/environ is readable by the process's owner only),
 * never a command-line value.
 */
import { readFileSync } from 'node:fs';

export const ALERT_WEBHOOK_ENV = 'CLEARLINE_ALERT_WEBHOOK';

export interface AlertWebhookSourceInput {
  /** `--alert-webhook URL`: refused, it would put the secret in `ps`. */
  readonly flag: string | undefined;
  /** `--alert-webhook-file FILE`: the URL on the file's first line. */
  readonly file: string | undefined;
  readonly env: NodeJS.ProcessEnv;
}

/** The webhook URL, or undefined when none is configured; throws an actionable error (never quoting the URL). */
export function alertWebhookFromSources(o: AlertWebhookSourceInput, readFile = (f: string) => readFileSync(f, 'utf8')): string | undefined {
  if (o.flag !== undefined) {
    throw new Error(
      `--alert-webhook puts the webhook URL (and its secret) on the command line, visible in ps to every local user: ` +
        `write it to a file (chmod 600) and give --alert-webhook-file FILE, or set ${ALERT_WEBHOOK_ENV}`,
    );
  }
  const fromEnv = o.env[ALERT_WEBHOOK_ENV]?.trim() || undefined;
  if (o.file !== undefined && fromEnv !== undefined) {
    throw new Error(`give the alert webhook once: --alert-webhook-file or ${ALERT_WEBHOOK_ENV}, not both`);
  }
  if (o.file === undefined) return fromEnv;
  let text: string;
  try {
    text = readFile(o.file);
  } catch (err) {
    throw new Error(`--alert-webhook-file ${o.file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).name})`);
  }
  const url = text.split('\n')[0]!.trim();
  if (!url) throw new Error(`--alert-webhook-file ${o.file}: the file is empty; put the webhook URL on its first line`);
  return url;
}
