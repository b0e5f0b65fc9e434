import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of named threads of a Chromium's renderer processes, from /proc (schedstat: time on
 * CPU in ns, per thread). The renderers are the `--type=renderer` processes whose ancestor is the
 * browser started with `userDataDir`, so another agent's or helper's Chromium is never counted.
 * Thread names are the kernel's 15-character `comm` (the renderer's main thread keeps the
 * executable's name, `chromium`).
 */
const read = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // exited meanwhile
  }
};
/** The command line's words: a Chromium child rewrites its argv into one space-separated string. */
const words = (pid: string) => read(`/proc/${pid}/cmdline`)?.split(/[\0 ]/) ?? [];
const parentOf = (pid: string) => {
  const stat = read(`/proc/${pid}/stat`);
  return stat === null ? null : stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]!;
};

function rendererPids(userDataDir: string): string[] {
  const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  const ours = (pid: string) => {
    for (let p: string | null = pid, depth = 0; p !== null && p !== '0' && depth < 8; p = parentOf(p), depth++) {
      if (words(p).includes(`--user-data-dir=${userDataDir}`)) return true;
    }
    return false;
  };
  return pids.filter((pid) => words(pid).includes('--type=renderer') && ours(pid));
}

/** Nanoseconds on CPU so far, summed per thread name over the browser's renderers. */
export function rendererThreadsCpuNs(userDataDir: string, threadNames: readonly string[]): Map<string, number> {
  const pids = rendererPids(userDataDir);
  if (pids.length === 0) throw new Error(`no renderer process of the Chromium with --user-data-dir=${userDataDir}`);
  const total = new Map(threadNames.map((n) => [n, 0]));
  for (const pid of pids) {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const name = read(`/proc/${pid}/task/${tid}/comm`)?.trim();
      const ns = Number(read(`/proc/${pid}/task/${tid}/schedstat`)?.split(' ')[0]);
      if (name !== undefined && total.has(name) && Number.isFinite(ns)) total.set(name, total.get(name)! + ns);
    }
  }
  return total;
}
