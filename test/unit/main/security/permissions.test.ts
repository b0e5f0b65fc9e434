import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_ORIGIN } from '../../../../common/app-origin.js';
import { decidePermissionCheck, decidePermissionRequest } from '../../../../main/security/permissions.js';

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
