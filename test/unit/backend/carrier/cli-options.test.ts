import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCarrierArgs } from '../../../../backend/carrier/cli-options.js';
import { DEFAULT_NUMBERS } from '../../../../backend/carrier/behaviours.js';
import { parseDtmfInfo } from '../../../../backend/carrier/dtmf-info.js';

const full = [
  '--listen',
  '127.0.0.1',
  '--sip-port',
  '30040',
  '--api-port',
  '30041',
  '--media-min',
  '31400',
  '--media-max',
  '31499',
  '--proxy',
  '127.0.0.1:30000',
  '--domain',
  'clearline.test',
  '--state-dir',
  '/tmp/x',
  '--numbers',
  '{"echo":"100","tone":"101","record":"102","busy":"103","noAnswer":"104"}',
];

test("the supervisor's full command line parses", () => {
  const o = parseCarrierArgs(full);
  assert.equal(o.sipPort, 30040);
  assert.deepEqual(o.proxy, { address: '127.0.0.1', port: 30000 });
  assert.equal(o.numbers.noAnswer, '104');
  assert.equal(o.domain, 'clearline.test');
});

test('defaults: only --state-dir is required', () => {
  const o = parseCarrierArgs(['--state-dir', '/tmp/x']);
  assert.equal(o.listen, '127.0.0.1');
  assert.equal(o.sipPort, 20040);
  assert.deepEqual(o.numbers, DEFAULT_NUMBERS);
});

test('partial --numbers keeps the other defaults', () => {
  assert.equal(parseCarrierArgs(['--state-dir', '/x', '--numbers', '{"echo":"999"}']).numbers.tone, DEFAULT_NUMBERS.tone);
});

test('every bad flag is named in the error', () => {
  const bad: [string[], RegExp][] = [
    [['--state-dir', '/x', '--sip-port', 'abc'], /--sip-port/],
    [['--state-dir', '/x', '--api-port', '70000'], /--api-port/],
    [['--state-dir', '/x', '--listen', 'localhost'], /--listen/],
    [['--state-dir', '/x', '--proxy', '127.0.0.1'], /--proxy/],
    [['--state-dir', '/x', '--media-min', '31499', '--media-max', '31400'], /--media-max/],
    [['--state-dir', '/x', '--numbers', '{bad json'], /--numbers/],
    [['--state-dir', '/x', '--numbers', '{"fax":"1"}'], /--numbers.*fax/],
    [['--state-dir', '/x', '--numbers', '{"echo":"1","tone":"1"}'], /--numbers.*two roles/],
    [['--state-dir', '/x', '--domain', 'a b'], /--domain/],
    [['--state-dir', '/x', '--bogus', '1'], /bogus/],
    [[], /--state-dir/],
  ];
  for (const [argv, pattern] of bad) assert.throws(() => parseCarrierArgs(argv), pattern, argv.join(' '));
});

test('SIP INFO DTMF bodies', () => {
  assert.equal(parseDtmfInfo('application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n'), '5');
  assert.equal(parseDtmfInfo('Application/DTMF-Relay; charset=x', 'Duration=100\r\nSignal= #\r\n'), '#');
  assert.equal(parseDtmfInfo('application/dtmf', '*\r\n'), '*');
  assert.equal(parseDtmfInfo('application/dtmf', 'hello'), '');
  assert.equal(parseDtmfInfo('text/plain', '5'), undefined);
});
