import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Bench } from './index.js';
import { CallRecoveryRig } from '../e2e/support/call-recovery.js';
import { rendererThreadsCpuNs } from '../support/renderer-threads-cpu.js';

/**
 * statsSampler: what call-quality sampling costs the renderer, during a real echo call in Chromium
 * on the real stack (the e2e/call-quality rig). `usPerSample` is the renderer's CPU per second of
 * an active call — one quality sample a second — on the threads the sampling runs on, above the
 * same threads of the same page registered without a call: the main thread (the call's one stats
 * sampler, renderer/calling/stats-sampler.ts: a getStats every 200 ms for media recovery's inbound
 * watch, every 2nd reading → summary, store, re-rendered meters, every 5th → quality monitor),
 * WebRTC's signalling thread (where getStats collects) and the compositor (the redrawn meters and
 * indicator). Media itself runs on other threads (audio devices, the WebRTC
 * worker/network thread), not counted. Next to it, from the same run and call: `getStatsUs`, the
 * same threads' CPU per bare `pc.getStats()` called from the page every 100 ms (spaced past
 * Chromium's 50 ms stats cache) on top of the app, and `getStatsPerSample`, how many getStats calls
 * the app makes per sample (counted by wrapping the prototype). Medians of ROUNDS windows.
 */
const THREADS = ['chromium', 'WebRTC_Signalin', 'Compositor'] as const;
const WINDOW_MS = 10_000;
const ROUNDS = 3;
const BARE_SPACING_MS = 100;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const bench: Bench = {
  key: 'statsSampler',
  async run() {
    const rig = await CallRecoveryRig.start('callQuality');
    try {
      await rig.signIn();
      const profile = join(rig.backend.scratch, `profile-${rig.agent.name}`);
      const cpuNs = () => [...rendererThreadsCpuNs(profile, THREADS).values()].reduce((a, b) => a + b, 0);
      /** The threads' CPU in µs per second over WINDOW_MS while `during` runs (or the page idles). */
      const usPerSecond = async (during?: () => Promise<unknown>) => {
        const before = cpuNs();
        const started = Date.now();
        await (during ? during() : rig.agent.page.waitForTimeout(WINDOW_MS));
        const elapsed = Date.now() - started;
        return (cpuNs() - before) / 1000 / (elapsed / 1000);
      };

      const idle: number[] = [];
      for (let i = 0; i < ROUNDS; i++) idle.push(await usPerSecond());

      await rig.echoCall();
      await rig.agent.page.waitForTimeout(3000); // the first samples and the indicator's first paint
      const inCall: number[] = [];
      for (let i = 0; i < ROUNDS; i++) inCall.push(await usPerSecond());
      const getStatsPerSample = await countGetStats(rig.agent.page, WINDOW_MS);

      const bare: number[] = [];
      const count = WINDOW_MS / BARE_SPACING_MS;
      for (let i = 0; i < ROUNDS; i++) {
        const withBare = await usPerSecond(() => bareGetStats(rig.agent.page, count, BARE_SPACING_MS));
        // The extra CPU per second over the app's own, spread over the bare calls made per second.
        bare.push((withBare - median(inCall)) / (1000 / BARE_SPACING_MS));
      }
      await rig.agent.phone.endAllCalls();
      const usPerSample = Math.round(median(inCall) - median(idle));
      return {
        usPerSample,
        getStatsUs: Math.round(median(bare)),
        getStatsPerSample,
        threads: THREADS,
        idleUsPerSecond: idle.map(Math.round),
        inCallUsPerSecond: inCall.map(Math.round),
        bareGetStatsUsRuns: bare.map(Math.round),
        windowMs: WINDOW_MS,
      };
    } finally {
      await rig.stop();
    }
  },
};

/** How many times the page called getStats per second over `windowMs` (the prototype wrapped meanwhile). */
async function countGetStats(page: Page, windowMs: number): Promise<number> {
  const calls = (await page.evaluate(`(async () => {
    const proto = RTCPeerConnection.prototype;
    const original = proto.getStats;
    let calls = 0;
    proto.getStats = function (...args) { calls++; return original.apply(this, args); };
    await new Promise((r) => setTimeout(r, ${windowMs}));
    proto.getStats = original;
    return calls;
  })()`)) as number;
  return Math.round((calls / (windowMs / 1000)) * 10) / 10;
}

/** `count` bare getStats of the live call's connection, one every `spacingMs`. */
async function bareGetStats(page: Page, count: number, spacingMs: number): Promise<void> {
  await page.evaluate(`(async () => {
    const pcs = window.__e2ePeerConnections.filter((pc) => pc.connectionState !== 'closed');
    const pc = pcs[pcs.length - 1];
    for (let i = 0; i < ${count}; i++) {
      const next = new Promise((r) => setTimeout(r, ${spacingMs}));
      await pc.getStats();
      await next;
    }
  })()`);
}

export default bench;
