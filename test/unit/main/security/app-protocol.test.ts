import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveAppAsset } from '../../../../main/security/app-protocol.js';

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
