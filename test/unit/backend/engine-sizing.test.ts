/** Engine settings grow with --max-calls and the cores: Kamailio's memory, workers, rtpengine threads. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineSizing } from '../../../backend/engine-sizing.js';

test('Kamailio shared memory: 64 MB plus 256 KB per call; workers follow the cores (2 to 16)', () => {
  assert.deepEqual(engineSizing(50, 2), { kamailioShmMb: 77, kamailioWorkers: 2, rtpengineThreads: 2 });
  assert.equal(engineSizing(1000, 2).kamailioShmMb, 64 + 250);
  assert.equal(engineSizing(10, 1).kamailioWorkers, 2, 'never fewer than the two workers the cfg was written for');
  assert.equal(engineSizing(10, 8).rtpengineThreads, 8);
  assert.equal(engineSizing(10, 64).kamailioWorkers, 16);
});
