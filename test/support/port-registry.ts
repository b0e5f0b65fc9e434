/**
 * The one place a test's ports come from. Every test that starts a backend stack or binds a fixed
 * port names its block here instead of writing a number, so two suites can no longer pick the same
 * ports by accident and a new suite sees which blocks are taken.
 *
 * A block is PORT_BLOCK_SIZE ports from its base (backend/ports.ts lays a stack out inside it).
 * All blocks lie inside the range test/with-reserved-ports.mjs takes out of the kernel's ephemeral
 * ports, and no two overlap: test/unit/support/port-registry.test.ts proves both.
 *
 * Files that share a block run one after another (test/run.mjs gives Node's runner
 * --test-concurrency=1 and every file stops its stack in `after`). Run two of them at once by hand
 * only under the shared lock (see test/README.md). DEFAULT_PORT_BASE (20000) is no test's: it is
 * what `npm start` and `npm run backend` use, so a developer's own stack never breaks a test run.
 */
import { PORT_BLOCK_SIZE, portsFor } from '../../backend/ports.js';
import { rtpengineInstances } from '../../backend/stack-options.js';

export const TEST_PORT_BASES = {
  audioDevices: 6000, // e2e/devices, bench/recovery (its deviceRemovalAudioMs part: test/e2e/support/headset-unplug.ts)
  recovery: 10000, // e2e/recovery, e2e/dead-path, e2e/dead-call, e2e/rtpengine-restart, e2e/kamailio-restart, bench/recovery (its wsCutReregisterMs/udpBlockAudioMs part: test/e2e/support/call-recovery.ts)
  callQuality: 14000, // e2e/call-quality, bench/stats-sampler
  networkTest: 12000, // integration/security/network-reports, admin-page; e2e/network-test, admin-page; bench/network-test
  capacity: 16000, // integration/capacity/max-calls, bench/capacity
  multiNode: 18000, // integration/multi-node/node-loss (the nodes' stacks live in namespaces; PostgreSQL and Chromium in the root namespace)
  sipCalls: 22000, // integration/backend/sip-calls, dialog-reconnect
  backendMedia: 24000, // integration/backend/browser-media, turn
  backendLifecycle: 26000, // integration/backend/lifecycle, postgres
  backendLifecycleTls: 28000, // integration/backend/lifecycle: the TLS stack with two rtpengines
  carrier: 30000, // integration/carrier/*, bench/carrier
  securityApi: 32000, // integration/security/api-lockout, admin-audit, revocation; integration/diagnostics/reflector
  securityExposure: 34000, // integration/security/exposure, transport; unit/backend/control-plane/listeners
  diagnosticsRealStack: 36000, // integration/diagnostics/real-stack
  diagnosticsBench: 38000, // bench/diagnostics
  e2eCalls: 40000, // e2e/calls
  e2eResilience: 42000, // e2e/resilience
  echoCall: 44000, // electron/echo-call, bench/call-setup
  e2eUi: 46000, // e2e/ui-call-view, ui-render; unit/renderer/host/web-host
  e2eTls: 48000, // e2e/tls-failure
  wsOrigin: 50000, // integration/backend/ws-origin
  auditOutage: 52000, // integration/backend/audit-outage, kamailio-restart
  securityOutage: 54000, // integration/security/postgres-outage, resilience, logs
  securityAttack: 56000, // integration/security/support/attack-stack (the attack suite)
  tollFraud: 58000, // integration/security/toll-fraud, media-timeout
  egress443: 8000, // e2e/egress-443 (the stack in the root namespace; the client namespace has ports of its own)
} as const satisfies Record<string, number>;

export type TestPortBlock = keyof typeof TEST_PORT_BASES;

/** Every port a stack at `base` may bind, with up to 10 rtpengines (their ng ports follow rtpengineNg). */
function stackPorts(base: number): Array<readonly [number, number]> {
  const p = portsFor(base);
  const ranges: Array<readonly [number, number]> = [
    [p.rtpengineMediaMin, p.rtpengineMediaMax],
    [p.turnRelayMin, p.turnRelayMax],
    [p.carrierMediaMin, p.carrierMediaMax],
  ];
  const singles = [
    p.sipUdp,
    p.sipWs,
    p.sipWss,
    p.controlPlane,
    p.controlPlaneInternal,
    p.kamailioMediaTimeout,
    p.turn,
    p.turns,
    p.carrierSip,
    p.carrierApi,
    p.reflector,
  ];
  for (const r of rtpengineInstances(p, 10)) singles.push(r.ngPort);
  return [...ranges, ...singles.map((port) => [port, port] as const)];
}

/**
 * Ports `firstOffset`…`lastOffset` of `block` for a test's own sockets (a browser's UDP range, a
 * private PostgreSQL, a sink): checked to stay inside the block and clear of every port the block's
 * stack binds, so the test and its stack never race for one.
 */
export function spareTestPorts(block: TestPortBlock, firstOffset: number, lastOffset = firstOffset): [number, number] {
  const base = TEST_PORT_BASES[block];
  const [first, last] = [base + firstOffset, base + lastOffset];
  if (
    !Number.isInteger(firstOffset) ||
    !Number.isInteger(lastOffset) ||
    firstOffset < 0 ||
    lastOffset < firstOffset ||
    lastOffset >= PORT_BLOCK_SIZE
  ) {
    throw new RangeError(
      `spare ports of block ${block}: offsets must be integers with 0 <= first <= last < ${PORT_BLOCK_SIZE} (got ${firstOffset}-${lastOffset})`,
    );
  }
  const clash = stackPorts(base).find(([min, max]) => first <= max && min <= last);
  if (clash)
    throw new RangeError(
      `spare ports ${first}-${last} of block ${block} overlap its stack's ports ${clash[0]}-${clash[1]}: pick offsets outside backend/ports.ts's PORT_OFFSETS`,
    );
  return [first, last];
}

/** One spare port of `block` (see spareTestPorts). */
export function spareTestPort(block: TestPortBlock, offset: number): number {
  return spareTestPorts(block, offset)[0];
}
