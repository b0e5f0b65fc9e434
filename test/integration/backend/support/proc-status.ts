import { readFileSync } from 'node:fs';

/** The real uid of a running process (/proc/PID/status `Uid:` line, first field). */
export function uidOf(pid: number): number {
  const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no Uid line in /proc/${pid}/status`);
  return Number(m[1]);
}

/** The uid of a system user, from /etc/passwd (undefined when there is no such user). */
export function systemUid(user: string): number | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  return line ? Number(line.split(':')[2]) : undefined;
}

/** Resident memory of a running process in KiB (/proc/PID/status `VmRSS:` line). */
export function vmRssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS line in /proc/${pid}/status`);
  return Number(m[1]);
}
