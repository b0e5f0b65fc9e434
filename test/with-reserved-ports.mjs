#!/usr/bin/env node
// Usage: node test/with-reserved-ports.mjs COMMAND [ARGS...]
//
// The test stacks listen on fixed port blocks (backend/ports.ts; bases in test/support/port-registry.ts),
// most of them inside Linux's ephemeral range (32768–60999). Any outgoing connection made
// meanwhile — Chromium, Kamailio's HTTP client, a test's own fetch — may be handed one of those
// ports by the kernel and make the next stack fail with "port in use". Reserving the blocks takes
// them out of ephemeral allocation only (explicit binds still work), for as long as COMMAND runs;
// the previous setting is restored afterwards. Network namespaces have their own setting.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const SYSCTL = '/proc/sys/net/ipv4/ip_local_reserved_ports';
const TEST_PORT_BLOCKS = '6000-59999';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node test/with-reserved-ports.mjs COMMAND [ARGS...]');
  process.exit(1);
}

// `previous` is what to restore, or null to leave the setting alone: when the blocks are already
// reserved (another run in progress holds them), this run neither adds nor restores, so the
// last run to finish cannot put back a reservation nobody holds any more.
let previous = null;
try {
  const current = readFileSync(SYSCTL, 'utf8').trim();
  if (!current.split(',').includes(TEST_PORT_BLOCKS)) {
    writeFileSync(SYSCTL, current ? `${current},${TEST_PORT_BLOCKS}` : TEST_PORT_BLOCKS);
    previous = current;
  }
} catch (error) {
  previous = null;
  console.warn(`[ports] WARNING: could not reserve ports ${TEST_PORT_BLOCKS} (${error.code ?? error.message}; needs root).`);
  console.warn('[ports] WARNING: a test stack may now and then find one of its ports taken by an outgoing connection.');
}

const restore = () => {
  if (previous === null) return;
  try {
    writeFileSync(SYSCTL, previous === '' ? '\n' : previous);
  } catch (error) {
    console.warn(`[ports] could not restore ${SYSCTL} to "${previous}": ${error.message}`);
  }
  previous = null;
};

const child = spawn(command, args, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('error', (error) => {
  restore();
  console.error(`[ports] could not run ${command}: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  restore();
  process.exit(code ?? (signal ? 1 : 0));
});
