import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_ORIGIN, originOf } from '../../../common/app-origin.js';

describe('app origin', () => {
  test('originOf handles app:// (where URL.origin is "null")', () => {
    assert.equal(new URL('app://clearline/index.html').origin, 'null');
    assert.equal(originOf('app://clearline/index.html'), APP_ORIGIN);
    assert.equal(originOf('APP://Clearline/x'), APP_ORIGIN);
    assert.equal(originOf('wss://sip.example.com:7443/ws'), 'wss://sip.example.com:7443');
    assert.equal(originOf('about:blank'), null);
    assert.equal(originOf('not a url'), null);
  });
});
