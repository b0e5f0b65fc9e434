import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { AudioDeviceList, AudioDeviceSource } from './audio-device-watcher.js';

/**
 * The Linux audio device list from the sound server (PulseAudio, or PipeWire's pulse server),
 * through its own client `pactl`: `pactl subscribe` streams an event per device added or removed,
 * `pactl list short sinks|sources` lists them. A monitor source (what a speaker plays, offered
 * as an input) is no microphone, and browsers do not list it either.
 */

const PACTL_TIMEOUT_MS = 5_000;

/** The names (second column) of `pactl list short sinks|sources` output. */
export function parsePactlShortList(output: string): string[] {
  return output
    .split('\n')
    .map((line) => line.split('\t')[1]?.trim() ?? '')
    .filter((name) => name !== '');
}

/** True for a `pactl subscribe` line about a speaker or microphone appearing or going away. */
export function isDeviceEvent(line: string): boolean {
  return /^Event '(new|remove)' on (sink|source) #\d+$/.test(line.trim());
}

/** `env`: the environment pactl runs in (PULSE_SERVER picks a server other than the session's). */
export function pulseAudioDeviceSource(env: NodeJS.ProcessEnv = process.env): AudioDeviceSource {
  const run = promisify(execFile);
  const names = async (kind: 'sinks' | 'sources') =>
    parsePactlShortList((await run('pactl', ['list', 'short', kind], { env, timeout: PACTL_TIMEOUT_MS })).stdout);
  return {
    async list(): Promise<AudioDeviceList> {
      const [sinks, sources] = await Promise.all([names('sinks'), names('sources')]);
      return { microphones: sources.filter((name) => !name.endsWith('.monitor')), speakers: sinks };
    },
    subscribe(onEvent, onEnd) {
      const child = spawn('pactl', ['subscribe'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
      let ended = false;
      const end = (reason: string, final = false) => {
        if (ended) return;
        ended = true;
        onEnd(reason, final);
      };
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (isDeviceEvent(line)) onEvent();
      });
      child.on('error', (error: NodeJS.ErrnoException) => end(`pactl subscribe: ${error.message}`, error.code === 'ENOENT'));
      child.on('exit', (code, signal) => end(`pactl subscribe exited (${signal ?? code})`));
      return () => {
        ended = true;
        child.kill();
      };
    },
  };
}
