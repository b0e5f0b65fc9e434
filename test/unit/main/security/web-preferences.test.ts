import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { secureWebPreferences } from '../../../../main/security/web-preferences.js';

describe('web preferences', () => {
  test('isolation, sandbox, no Node, web security on, no webview', () => {
    const prefs = secureWebPreferences('/app/dist/preload/index.cjs');
    assert.equal(prefs.preload, '/app/dist/preload/index.cjs');
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInWorker, false);
    assert.equal(prefs.nodeIntegrationInSubFrames, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.allowRunningInsecureContent, false);
    assert.equal(prefs.webviewTag, false);
    assert.equal(prefs.experimentalFeatures, false);
    assert.equal(prefs.disableBlinkFeatures, 'Auxclick');
  });
});
