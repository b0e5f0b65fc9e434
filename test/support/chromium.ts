import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless Chromium on a machine without internet: no GPU, no QUIC, no background chatter (LAB-NOTES). */
export const HEADLESS_CHROMIUM_ARGS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Microphone access granted without a prompt (the prompt is faked, not the devices). */
const GRANT_MEDIA_ARG = '--use-fake-ui-for-media-stream';

/** Fake microphone and camera, granted without a prompt. */
export const FAKE_MEDIA_ARGS: readonly string[] = [GRANT_MEDIA_ARG, '--use-fake-device-for-media-stream'];

export interface AgentBrowserOptions {
  /** Fresh profile directory (the caller removes it). */
  readonly userDataDir: string;
  /** WAV played as this agent's microphone (default: Chromium's built-in fake beep). */
  readonly microphoneWav?: string;
  /** Inclusive UDP port range for this browser's WebRTC sockets (keeps tests inside their block). */
  readonly udpPorts: readonly [number, number];
  /** Program started in Chromium's place, e.g. a script that runs it inside a network namespace (default: CHROMIUM_PATH). */
  readonly launcher?: string;
  /** More command-line switches (a proxy, a pinned test certificate). */
  readonly extraArgs?: readonly string[];
  /**
   * Real audio devices instead of Chromium's fake ones: the PulseAudio server this environment
   * names (test/support/pulse-audio.ts). Chromium then captures and plays through it, unmuted.
   */
  readonly pulse?: { readonly PULSE_SERVER: string };
}

/**
 * One agent = one Chromium with its own profile and its own fake microphone (the capture file is
 * a process-wide flag, so two agents with different tones need two browsers). Flags from
 * LAB-NOTES: fake devices, loopback ICE, no autoplay gesture, no background chatter.
 */
export async function launchAgentBrowser(o: AgentBrowserOptions): Promise<BrowserContext> {
  mkdirSync(join(o.userDataDir, 'Default'), { recursive: true });
  writeFileSync(
    join(o.userDataDir, 'Default', 'Preferences'),
    JSON.stringify({ webrtc: { udp_port_range: `${o.udpPorts[0]}-${o.udpPorts[1]}` } }),
  );
  return chromium.launchPersistentContext(o.userDataDir, {
    executablePath: o.launcher ?? CHROMIUM_PATH,
    headless: true,
    timeout: 30_000,
    ...(o.pulse ? { env: { ...process.env, ...o.pulse }, ignoreDefaultArgs: ['--mute-audio'] } : {}),
    args: [
      ...HEADLESS_CHROMIUM_ARGS,
      ...(o.pulse ? [GRANT_MEDIA_ARG] : FAKE_MEDIA_ARGS),
      ...(o.microphoneWav && !o.pulse ? [`--use-file-for-fake-audio-capture=${o.microphoneWav}`] : []),
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
      ...(o.extraArgs ?? []),
    ],
  });
}
