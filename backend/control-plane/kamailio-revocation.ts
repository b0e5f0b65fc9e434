/**
 * Revoking an agent inside Kamailio, through its ctl socket (`kamcmd`): its registrations are
 * dropped, so calls stop reaching it, and the calls it is in (placed or answered) are ended, so a
 * stolen account that is disabled mid-call (toll fraud) stops costing money now rather than at the
 * maximum call duration, and a dismissed agent keeps no line to a customer or the trunk. Kamailio
 * itself refuses the agent's next REGISTER and INVITE (its auth reads `agents.disabled`, or finds
 * no row).
 */
import { execFile } from 'node:child_process';

/** Runs a command; resolves with its exit code and output (never rejects on a non-zero exit). */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

/** kamcmd answers within milliseconds; a hung Kamailio must not hang an admin request. */
const KAMCMD_TIMEOUT_MS = 3000;

/**
 * The dialog profile kamailio.cfg puts each call an agent places in, valued with the agent's
 * username (`set_dlg_profile("calls", "$au")`; also what max_calls counts).
 */
export const CALLS_PROFILE = 'calls';

/** The dialog profile of each call an agent answered, valued with the agent's username. */
export const ANSWERED_PROFILE = 'answered';

export const execRunner: CommandRunner = (file, args) =>
  new Promise((resolve) => {
    execFile(file, [...args], { timeout: KAMCMD_TIMEOUT_MS }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr || (err && !stdout ? err.message : '')) });
    });
  });

/**
 * One RPC; resolves with its output. kamcmd exits 0 even when the RPC fails: the failure is an
 * `error: <code> - <reason>` line on stdout (e.g. `error: 500 - Domain table not found`). Codes in
 * `notAnError` resolve with ''.
 */
async function rpc(ctlSocket: string, args: readonly string[], run: CommandRunner, notAnError: readonly string[] = []): Promise<string> {
  const { code, stdout, stderr } = await run('kamcmd', ['-s', `unix:${ctlSocket}`, ...args]);
  const rpcError = /^error: (\d+) - (.*)$/m.exec(stdout);
  if (code === 0 && !rpcError) return stdout;
  if (rpcError && notAnError.includes(rpcError[1]!)) return '';
  const said = `${stdout} ${stderr}`.trim();
  throw new Error(`kamcmd ${args.join(' ')} failed (exit ${code}): ${said.slice(0, 200) || 'no output'}`);
}

/**
 * Drops every current registration of an agent from Kamailio's location table. An agent with no
 * registration is not an error: Kamailio 5.6 answers nothing, other releases `404 AOR not found`.
 */
export async function dropRegistrations(ctlSocket: string, username: string, run: CommandRunner): Promise<void> {
  await rpc(ctlSocket, ['ul.rm', 'location', username], run, ['404']);
}

/** A call in progress as Kamailio's dialog module lists it. */
export interface ActiveCall {
  /** The dialog's handle (`dlg.end_dlg h_entry h_id`). */
  readonly hEntry: string;
  readonly hId: string;
  readonly callId: string;
  readonly fromTag: string;
  readonly toTag: string;
  readonly from: string;
  readonly to: string;
}

/**
 * The dialogs in `kamcmd dlg.profile_list` output (pure): top-level `{ … }` blocks of `key: value`
 * lines, with the tags inside their `caller: { … }` and `callee: { … }` blocks.
 */
export function parseDialogs(output: string): ActiveCall[] {
  const calls: ActiveCall[] = [];
  let fields = new Map<string, string>();
  const path: string[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    const open = /^(?:([\w-]+):\s*)?\{$/.exec(line);
    if (open) {
      path.push(open[1] ?? '');
      if (path.length === 1) fields = new Map();
      continue;
    }
    if (line === '}') {
      path.pop();
      if (path.length > 0) continue;
      const [hEntry, hId, callId] = [fields.get('h_entry'), fields.get('h_id'), fields.get('call-id')];
      if (hEntry && hId && callId) {
        calls.push({
          hEntry,
          hId,
          callId,
          fromTag: fields.get('caller.tag') ?? '',
          toTag: fields.get('callee.tag') ?? '',
          from: fields.get('from_uri') ?? '',
          to: fields.get('to_uri') ?? '',
        });
      }
      continue;
    }
    const kv = /^([\w-]+):\s?(.*)$/.exec(line);
    if (!kv) continue;
    if (path.length === 1) fields.set(kv[1]!, kv[2]!);
    else if (path.length === 2) fields.set(`${path[1]}.${kv[1]}`, kv[2]!);
  }
  return calls;
}

/**
 * Ends every call the agent is in, placed or answered (a BYE to both sides), and returns them, so
 * the caller can close their records: Kamailio routes none of this, so no audit event says the
 * call ended. A call in both profiles (the agent called itself) is ended once.
 */
export async function endCalls(ctlSocket: string, username: string, run: CommandRunner): Promise<ActiveCall[]> {
  const calls = new Map<string, ActiveCall>();
  for (const profile of [CALLS_PROFILE, ANSWERED_PROFILE]) {
    for (const call of parseDialogs(await rpc(ctlSocket, ['dlg.profile_list', profile, username], run))) {
      calls.set(`${call.hEntry}:${call.hId}`, call);
    }
  }
  for (const call of calls.values()) await rpc(ctlSocket, ['dlg.end_dlg', call.hEntry, call.hId], run, ['404']);
  return [...calls.values()];
}

/** Revokes an agent in Kamailio: registrations dropped, then its calls ended (returned). */
export type KamailioRevoker = (username: string) => Promise<ActiveCall[]>;

/** The control plane's revoker: through `ctlSocket`, or a refusal naming the missing setting. */
export function kamailioRevoker(ctlSocket: string | undefined, run: CommandRunner = execRunner): KamailioRevoker {
  if (!ctlSocket) return async () => Promise.reject(new Error('no Kamailio ctl socket configured (kamailioCtlSocket)'));
  return async (username) => {
    await dropRegistrations(ctlSocket, username, run);
    return endCalls(ctlSocket, username, run);
  };
}
