import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_ORIGIN } from '../../../../common/app-origin.js';
import { decideNavigation, decideWindowOpen } from '../../../../main/security/navigation.js';

describe('navigation and new windows', () => {
  test('own pages navigate; others are blocked, web links go to the system browser', () => {
    assert.deepEqual(decideNavigation('app://clearline/index.html#/settings', APP_ORIGIN), { allow: true });
    assert.deepEqual(decideNavigation('https://help.example.com/', APP_ORIGIN), { allow: false, openExternally: true });
    assert.deepEqual(decideNavigation('file:///etc/passwd', APP_ORIGIN), { allow: false, openExternally: false });
    assert.deepEqual(decideNavigation('app://other/x', APP_ORIGIN), { allow: false, openExternally: false });
  });
  test('window.open is always denied; only http(s) opens externally', () => {
    assert.deepEqual(decideWindowOpen('https://help.example.com/'), { action: 'deny', openExternally: true });
    assert.deepEqual(decideWindowOpen('javascript:alert(1)'), { action: 'deny', openExternally: false });
    assert.deepEqual(decideWindowOpen('app://clearline/index.html'), { action: 'deny', openExternally: false });
  });
});
