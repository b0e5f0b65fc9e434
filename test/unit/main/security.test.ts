import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_ORIGIN, originOf } from '../../../common/app-origin.js';
import { resolveAppAsset } from '../../../main/security/app-protocol.js';
import { buildCsp } from '../../../main/security/csp.js';
import { connectSources } from '../../../common/content-security-policy.js';
import { isSafeExternalUrl } from '../../../main/security/external-links.js';
import { decideNavigation, decideWindowOpen } from '../../../main/security/navigation.js';
import { decidePermissionCheck, decidePermissionRequest } from '../../../main/security/permissions.js';
import { secureWebPreferences } from '../../../main/security/web-preferences.js';

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

describe('CSP from the provisioned config', () => {
  const config = {
    sip: { wsUrl: 'wss://sip.example.com:7443/ws', domain: 'example.com', registerExpiresSec: 300 },
    controlPlaneUrl: 'https://voice.example.com/tenant',
  };
  test('connect-src: self + the SIP WebSocket origin (and its HTTPS twin) + the control plane, nothing else', () => {
    assert.deepEqual(connectSources({ sipWsUrls: [config.sip.wsUrl], controlPlaneUrl: config.controlPlaneUrl }), [
      'https://sip.example.com:7443',
      'https://voice.example.com',
      'wss://sip.example.com:7443',
    ]);
    const csp = buildCsp(config);
    assert.match(
      csp,
      /(^|; )connect-src 'self' https:\/\/sip\.example\.com:7443 https:\/\/voice\.example\.com wss:\/\/sip\.example\.com:7443(;|$)/,
    );
  });
  test('signed out: connect-src self only', () => {
    assert.match(buildCsp(null), /(^|; )connect-src 'self'(;|$)/);
  });
  test('no inline or eval script, no plugins, no framing, default none', () => {
    const csp = buildCsp(config);
    assert.match(csp, /^default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    for (const d of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'none'"]) assert.ok(csp.includes(d), d);
  });
});

describe('permissions: deny by default', () => {
  const own = { requestingUrl: 'app://clearline/index.html', isMainFrame: true };
  test('microphone for our page: granted', () =>
    assert.equal(decidePermissionRequest('media', { ...own, mediaTypes: ['audio'] }, APP_ORIGIN), true));
  test('camera, or audio+video: refused', () => {
    assert.equal(decidePermissionRequest('media', { ...own, mediaTypes: ['video'] }, APP_ORIGIN), false);
    assert.equal(decidePermissionRequest('media', { ...own, mediaTypes: ['audio', 'video'] }, APP_ORIGIN), false);
    assert.equal(decidePermissionRequest('media', { ...own, mediaTypes: [] }, APP_ORIGIN), false);
  });
  test('speaker selection for our page: granted', () => assert.equal(decidePermissionRequest('speaker-selection', own, APP_ORIGIN), true));
  test('other permissions: refused', () => {
    for (const p of ['notifications', 'geolocation', 'display-capture', 'clipboard-read', 'openExternal', 'fullscreen', 'unknown']) {
      assert.equal(decidePermissionRequest(p, own, APP_ORIGIN), false, p);
    }
  });
  test('subframes and other origins get nothing, not even the microphone', () => {
    assert.equal(decidePermissionRequest('media', { ...own, isMainFrame: false, mediaTypes: ['audio'] }, APP_ORIGIN), false);
    assert.equal(
      decidePermissionRequest('media', { requestingUrl: 'https://evil.example/', isMainFrame: true, mediaTypes: ['audio'] }, APP_ORIGIN),
      false,
    );
  });
  test('permission checks follow the same rule', () => {
    const check = { requestingOrigin: 'app://clearline', isMainFrame: true };
    assert.equal(decidePermissionCheck('media', { ...check, mediaType: 'audio' }, APP_ORIGIN), true);
    assert.equal(decidePermissionCheck('media', { ...check, mediaType: 'video' }, APP_ORIGIN), false);
    assert.equal(decidePermissionCheck('media', { ...check, mediaType: 'unknown' }, APP_ORIGIN), false);
    assert.equal(decidePermissionCheck('speaker-selection', check, APP_ORIGIN), true);
    assert.equal(decidePermissionCheck('notifications', check, APP_ORIGIN), false);
    assert.equal(decidePermissionCheck('media', { ...check, mediaType: 'audio', embeddingOrigin: 'app://clearline' }, APP_ORIGIN), false);
    assert.equal(
      decidePermissionCheck('media', { requestingOrigin: 'https://evil.example', isMainFrame: true, mediaType: 'audio' }, APP_ORIGIN),
      false,
    );
  });
});

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
  test('external links: http and https only, no embedded credentials', () => {
    assert.equal(isSafeExternalUrl('https://example.com/a?b=c'), true);
    assert.equal(isSafeExternalUrl('http://example.com/'), true);
    for (const bad of [
      'file:///c:/windows/system32/calc.exe',
      'smb://host/share',
      'javascript:alert(1)',
      'ms-msdt:/id',
      'https://bank.com@evil.example/',
      'mailto:a@b.c',
      'nonsense',
    ]) {
      assert.equal(isSafeExternalUrl(bad), false, bad);
    }
  });
});

describe('app:// asset resolution', () => {
  const root = '/opt/clearline/dist/renderer';
  test('maps paths inside the renderer build', () => {
    assert.equal(resolveAppAsset('app://clearline/', root), `${root}/index.html`);
    assert.equal(resolveAppAsset('app://clearline/index.html?x=1#y', root), `${root}/index.html`);
    assert.equal(resolveAppAsset('app://clearline/assets/app-1234.js', root), `${root}/assets/app-1234.js`);
  });
  test('refuses traversal, encoded separators, other hosts and schemes', () => {
    // Literal and %2e dot segments are collapsed by the URL parser itself: they stay inside root.
    assert.equal(resolveAppAsset('app://clearline/../../etc/passwd', root), `${root}/etc/passwd`);
    assert.equal(resolveAppAsset('app://clearline/%2e%2e/%2e%2e/etc/passwd', root), `${root}/etc/passwd`);
    for (const url of [
      'app://clearline/assets/..%2f..%2f..%2fetc%2fpasswd',
      'app://clearline/..%5c..%5cwindows',
      'app://clearline/%00index.html',
      'app://other/index.html',
      'file:///opt/clearline/dist/renderer/index.html',
      'app://clearline/%E0%A4%A',
    ]) {
      assert.equal(resolveAppAsset(url, root), null, url);
    }
  });
});
