import { execFile } from 'node:child_process';

/** Runs a command; resolves with its exit code and output (never rejects on a non-zero exit). */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

/** kamcmd answers within milliseconds; a hung Kamailio must not hang an admin request. */
const KAMCMD_TIMEOUT_MS = 3000;

export const execRunner: CommandRunner = (file, args) =>
  new Promise((resolve) => {
    execFile(file, [...args], { timeout: KAMCMD_TIMEOUT_MS }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr || (err && !stdout ? err.message : '')) });
    });
  });

/**
 * Drops every current registration of an agent from Kamailio's location table, through its ctl
 * socket (`kamcmd ul.rm location <user>`), so a disabled or deleted agent stops receiving calls at
 * once instead of when its registration expires. An agent with no registration is not an error.
 *
 * kamcmd exits 0 even when the RPC fails: the failure is an `error: <code> - <reason>` line on
 * stdout (e.g. `error: 500 - Domain table not found`). Kamailio releases differ on an unknown AOR:
 * 5.6 answers nothing, others `error: 404 - AOR not found`.
 */
export async function dropRegistrations(ctlSocket: string, username: string, run: CommandRunner): Promise<void> {
  const { code, stdout, stderr } = await run('kamcmd', ['-s', `unix:${ctlSocket}`, 'ul.rm', 'location', username]);
  const rpcError = /^error: (\d+) - (.*)$/m.exec(stdout);
  if (code === 0 && !rpcError) return;
  if (rpcError?.[1] === '404') return;
  const said = `${stdout} ${stderr}`.trim();
  throw new Error(`kamcmd ul.rm location ${username} failed (exit ${code}): ${said.slice(0, 200) || 'no output'}`);
}

/** The control plane's registration dropper: through `ctlSocket`, or a refusal saying none is configured. */
export function registrationDropper(ctlSocket: string | undefined, run: CommandRunner = execRunner): (username: string) => Promise<void> {
  if (!ctlSocket) return async () => Promise.reject(new Error('no Kamailio ctl socket configured (kamailioCtlSocket)'));
  return (username) => dropRegistrations(ctlSocket, username, run);
}
