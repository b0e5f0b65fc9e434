import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toPostgresPlaceholders } from '../../../../backend/control-plane/db.js';

test('SQL placeholders are renumbered for PostgreSQL', () => {
  assert.equal(toPostgresPlaceholders('SELECT * FROM t WHERE a = ? AND b = ?'), 'SELECT * FROM t WHERE a = $1 AND b = $2');
});
