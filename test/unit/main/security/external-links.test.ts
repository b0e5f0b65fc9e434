import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isSafeExternalUrl } from '../../../../main/security/external-links.js';

describe('external links', () => {
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
