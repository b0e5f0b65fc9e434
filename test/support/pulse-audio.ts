import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dominantFrequency, rmsDbfs } from '../../backend/carrier/media/goertzel.js';

/**
 * A private PulseAudio server for one test file, with REAL virtual devices: null sinks are
 * speakers (their `.monitor` source records what plays on them), sine sources are microphones
 * with a known tone. Loading and unloading their modules is plugging and unplugging them, for
 * Chromium (PULSE_SERVER) and for `pactl` alike. Its socket is in the test's own 0700 directory
 * (anonymous auth: only this user can reach it); `stop()` kills the daemon and every device with it.
 * Names start with `cldev` so they are recognisable next to anyone else's.
 */
export const PULSE_PREFIX = 'cldev';
const run = promisify(execFile);

export class PulseServer {
  private constructor(
    private readonly daemon: ChildProcess,
    /** The environment a client (Chromium, pactl) needs to reach this server and no other. */
    readonly env: { PULSE_SERVER: string },
  ) {}

  static async start(dir: string): Promise<PulseServer> {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const socket = join(dir, 'native');
    const log = openSync(join(dir, 'pulseaudio.log'), 'a');
    const daemon = spawn(
      'pulseaudio',
      [
        '-n', // no default.pa: only the devices the test loads
        '--daemonize=no',
        '--exit-idle-time=-1',
        '--use-pid-file=no',
        '--realtime=no',
        '--high-priority=no',
        '--log-target=stderr',
        '-L',
        `module-native-protocol-unix socket=${socket} auth-anonymous=1`,
      ],
      {
        // Its own runtime, state and home dirs: nothing shared with a desktop session's server.
        env: { ...process.env, HOME: dir, XDG_RUNTIME_DIR: dir, PULSE_RUNTIME_PATH: dir, PULSE_STATE_PATH: dir },
        stdio: ['ignore', log, log],
      },
    );
    closeSync(log);
    const server = new PulseServer(daemon, { PULSE_SERVER: `unix:${socket}` });
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (daemon.exitCode !== null) throw new Error(`pulseaudio exited (${daemon.exitCode}); see ${join(dir, 'pulseaudio.log')}`);
      if (
        await server.pactl('info').then(
          () => true,
          () => false,
        )
      )
        return server;
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`pulseaudio did not answer on ${socket} within 10 s; see ${join(dir, 'pulseaudio.log')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async pactl(...args: string[]): Promise<string> {
    const { stdout } = await run('pactl', args, { env: { ...process.env, ...this.env }, timeout: 5000 });
    return stdout;
  }

  /** A speaker: a null sink named `name` (its monitor records what plays on it). Returns the module index. */
  async addSpeaker(name: string, description: string): Promise<number> {
    return this.load('module-null-sink', `sink_name=${checked(name)}`, `sink_properties=device.description=${description}`);
  }

  /** A microphone that hears a steady `hz` tone. Returns the module index. */
  async addMicrophone(name: string, hz: number): Promise<number> {
    return this.load('module-sine-source', `source_name=${checked(name)}`, `frequency=${hz}`);
  }

  async unload(module: number): Promise<void> {
    await this.pactl('unload-module', String(module));
  }

  async setDefaults(speaker: string, microphone: string): Promise<void> {
    await this.pactl('set-default-sink', speaker);
    await this.pactl('set-default-source', microphone);
  }

  /** Records what plays on speaker `sink` (8 kHz mono) until `stop()`. */
  listen(sink: string): SpeakerRecording {
    return new SpeakerRecording(
      spawn('parec', [`--device=${sink}.monitor`, '--format=s16le', '--rate=8000', '--channels=1', '--raw'], {
        env: { ...process.env, ...this.env },
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    );
  }

  async stop(): Promise<void> {
    if (this.daemon.exitCode !== null || this.daemon.signalCode !== null) return;
    const exited = new Promise((resolve) => this.daemon.once('exit', resolve));
    this.daemon.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (this.daemon.exitCode === null && this.daemon.signalCode === null) this.daemon.kill('SIGKILL');
  }

  private async load(module: string, ...args: string[]): Promise<number> {
    return Number((await this.pactl('load-module', module, ...args)).trim());
  }
}

function checked(name: string): string {
  if (!name.startsWith(PULSE_PREFIX) || !/^[\w.-]+$/.test(name)) throw new Error(`device names start with ${PULSE_PREFIX}: ${name}`);
  return name;
}

const RATE = 8000;
/** 100 ms steps of a 256 ms window: tone changes are seen within about a quarter second. */
const STEP = RATE / 10;
const WINDOW = 2048;

export interface ToneReading {
  readonly at: number;
  readonly dominantHz: number | null;
  readonly rmsDbfs: number;
}

/** What a speaker played, read every 100 ms as a dominant frequency and level (parec → Goertzel). */
export class SpeakerRecording {
  readonly readings: ToneReading[] = [];
  private pending: number[] = [];

  constructor(private readonly parec: ChildProcess) {
    let carry = Buffer.alloc(0);
    parec.stdout!.on('data', (chunk: Buffer) => {
      const bytes = Buffer.concat([carry, chunk]);
      const whole = bytes.length - (bytes.length % 2);
      carry = bytes.subarray(whole);
      for (let i = 0; i < whole; i += 2) this.pending.push(bytes.readInt16LE(i));
      while (this.pending.length >= WINDOW) {
        const window = this.pending.slice(0, WINDOW);
        this.pending = this.pending.slice(STEP);
        const level = rmsDbfs(window);
        this.readings.push({ at: Date.now(), dominantHz: dominantFrequency(window, RATE) ?? null, rmsDbfs: level });
      }
    });
  }

  /** The first reading at or after `since` with `hz` (±20 Hz) at a level above -50 dBFS, waiting up to `timeoutMs`. */
  async waitForTone(hz: number, since: number, timeoutMs: number): Promise<ToneReading> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.readings.find((r) => r.at >= since && r.dominantHz !== null && Math.abs(r.dominantHz - hz) <= 20 && r.rmsDbfs > -50);
      if (hit) return hit;
      if (Date.now() > deadline) {
        const recent = this.readings.slice(-5).map((r) => `${r.dominantHz ?? 'silence'}@${r.rmsDbfs.toFixed(0)}dB`);
        throw new Error(`no ${hz} Hz on the speaker within ${timeoutMs} ms; last readings: ${recent.join(', ') || 'none'}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  stop(): void {
    this.parec.kill();
  }
}
