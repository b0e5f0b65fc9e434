/**
 * CPU time and memory of one engine, read from /proc: every process of the engine's process group
 * (the supervisor makes each component a group leader; Kamailio forks a dozen workers, rtpengine
 * and coturn run threads). Memory is the anonymous and shared-memory part of PSS (proportional set
 * size): Kamailio's shared memory, mapped by every worker, counts once and not once per process, and
 * library pages, whose PSS moves whenever any other process on the machine maps the same library,
 * are left out.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface EngineUsage {
  /** utime + stime of every process (threads included) in the group, in ms. */
  readonly cpuMs: number;
  /** Sum of the processes' Pss_Anon + Pss_Shmem, in KiB. */
  readonly pssKiB: number;
  readonly processes: number;
}

/** Kernel clock ticks per second (`getconf CLK_TCK`: 100 on every Linux this runs on). */
const TICKS_PER_SECOND = 100;

/** Fields of /proc/PID/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: string): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // exited meanwhile
  }
}

function pssKiB(pid: string): number {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
    return field('Pss_Anon') + field('Pss_Shmem');
  } catch {
    return 0;
  }
}

export function engineUsage(groupLeader: number): EngineUsage {
  let ticks = 0;
  let pss = 0;
  let processes = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const f = statFields(pid);
    // After the name: state(0) ppid(1) pgrp(2) … utime(11) stime(12).
    if (!f || Number(f[2]) !== groupLeader) continue;
    ticks += Number(f[11]) + Number(f[12]);
    pss += pssKiB(pid);
    processes++;
  }
  if (processes === 0) throw new Error(`no process in group ${groupLeader}: the engine is not running`);
  return { cpuMs: (ticks * 1000) / TICKS_PER_SECOND, pssKiB: pss, processes };
}
