import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagnosticProgressSchema, type DiagnosticProgress } from '../../../../common/contract/index.js';
import { STEPS, renderReport, runDiagnostics, selectSteps } from '../../../../main/diagnostics/index.js';
import { outcome, type StepDefinition } from '../../../../main/diagnostics/step.js';
import { config, fakeProbes } from './fakes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const step = (id: string, o: Partial<StepDefinition> = {}): StepDefinition => ({
  id,
  title: id,
  blocking: false,
  run: async () => outcome('pass', `${id} ok`),
  ...o,
});

describe('step runner', () => {
  it('runs independent steps concurrently and dependents after their inputs', async () => {
    const order: string[] = [];
    const slow = (id: string) => async () => {
      order.push(`${id}+`);
      await sleep(150);
      order.push(`${id}-`);
      return outcome('pass', id);
    };
    const report = await runDiagnostics(config, fakeProbes(), undefined, [
      step('a', { run: slow('a') }),
      step('b', { run: slow('b') }),
      step('c', { after: ['a', 'b'], run: async (ctx) => outcome('pass', `saw ${ctx.outcome('a')?.explanation}`) }),
    ]);
    // Both started before either finished: they overlapped, whatever the machine's load (a
    // wall-clock bound here failed on a busy CI machine).
    assert.deepEqual(order.slice(0, 2).sort(), ['a+', 'b+'], 'a and b started together');
    assert.equal(report.steps.find((s) => s.id === 'c')?.explanation, 'saw a');
    assert.deepEqual(
      report.steps.map((s) => s.id),
      ['a', 'b', 'c'],
      'report keeps definition order',
    );
  });

  it('streams started/finished/done events that satisfy the IPC contract', async () => {
    const events: DiagnosticProgress[] = [];
    const report = await runDiagnostics(config, fakeProbes(), (e) => events.push(DiagnosticProgressSchema.parse(e)), [
      step('x'),
      step('y'),
    ]);
    assert.deepEqual(events.map((e) => e.kind).sort(), ['done', 'finished', 'finished', 'started', 'started']);
    assert.equal(events.at(-1)?.kind, 'done');
    assert.ok(events.every((e) => e.runId === report.runId));
  });

  it('a progress listener that throws does not stop the run', async () => {
    const report = await runDiagnostics(
      config,
      fakeProbes(),
      () => {
        throw new Error('window gone');
      },
      [step('x')],
    );
    assert.equal(report.verdict, 'pass');
  });

  it('turns a throwing or hanging check into a failed step with the reason', async () => {
    const report = await runDiagnostics(config, fakeProbes(), undefined, [
      step('boom', { run: async () => Promise.reject(new Error('socket exploded')) }),
      step('hang', { timeoutMs: 50, run: () => new Promise(() => {}) }),
    ]);
    assert.match(report.steps[0]!.explanation, /socket exploded/);
    assert.match(report.steps[1]!.explanation, /did not finish within 50 ms/);
    assert.ok(report.steps.every((s) => s.verdict === 'fail'));
  });

  it('overall: a blocking failure fails; other failures only warn; all pass passes', async () => {
    const failing = async () => outcome('fail', 'broken');
    const run = (steps: StepDefinition[]) => runDiagnostics(config, fakeProbes(), undefined, steps);
    assert.equal((await run([step('a'), step('b', { blocking: true, run: failing })])).verdict, 'fail');
    assert.equal((await run([step('a'), step('b', { blocking: false, run: failing })])).verdict, 'warn');
    assert.equal((await run([step('a'), step('b', { run: async () => outcome('skip', 'n/a') })])).verdict, 'pass');
  });

  it('rejects unknown dependencies, and --only subsets that miss one', async () => {
    await assert.rejects(runDiagnostics(config, fakeProbes(), undefined, [step('a', { after: ['nope'] })]), /waits for unknown step nope/);
    assert.throws(() => selectSteps(['media-path']), /media-path also needs stun/);
    assert.throws(() => selectSteps(['dns']), /unknown step\(s\) dns/);
    assert.deepEqual(
      selectSteps(['vpn', 'targets']).map((s) => s.id),
      ['targets', 'vpn'],
    );
    assert.equal(new Set(STEPS.map((s) => s.id)).size, STEPS.length, 'step ids are unique');
  });

  it('renders one line per step and the fix under problems', async () => {
    const report = await runDiagnostics(config, fakeProbes(), undefined, [
      step('good'),
      step('bad', { run: async () => outcome('fail', 'port shut', {}, 'open TCP 443') }),
    ]);
    const text = renderReport(report);
    assert.match(text, /^Clearline network test: WARN/);
    assert.match(text, /\[PASS\] good/);
    assert.match(text, /\[FAIL\] bad\s+port shut/);
    assert.match(text, /fix: open TCP 443/);
  });
});
