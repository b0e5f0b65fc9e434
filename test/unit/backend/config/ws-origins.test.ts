import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { KAMAILIO_STATIC_CFG, renderKamailioConfig, type KamailioConfigInput } from '../../../../backend/config/kamailio.js';
import { kamailioOriginCondition, normalizeWsOrigin, wsOriginAllowList } from '../../../../backend/config/ws-origins.js';
import { resolveStackOptions } from '../../../../backend/stack.js';
import { KAMAILIO_INPUT } from './fixtures.js';

const base: KamailioConfigInput = {
  ...KAMAILIO_INPUT,
  trunk: null,
  wsAllowedOrigins: [...KAMAILIO_INPUT.wsAllowedOrigins, 'HTTPS://Softphone.Example.com/'],
};

/** The static routing the generated config includes. */
const routing = readFileSync(KAMAILIO_STATIC_CFG, 'utf8');

/** Every origin the generated config compares the Origin header with, in order. */
const originsIn = (cfg: string) => [...cfg.matchAll(/\$hdr\(Origin\) == "([^"]*)"/g)].map((m) => m[1]);

test('ws origins: the generated config checks exactly the allow-list, normalized as browsers send it', () => {
  const cfg = renderKamailioConfig(base);
  assert.deepEqual(originsIn(cfg), ['http://127.0.0.1:20010', 'app://clearline', 'https://softphone.example.com']);
  const dup = renderKamailioConfig({ ...base, wsAllowedOrigins: ['app://clearline', 'APP://clearline'] });
  assert.deepEqual(originsIn(dup), ['app://clearline'], 'duplicates collapse');
});

test('ws origins: the check runs before the handshake, only when an Origin is present, and answers 403 with a reason', () => {
  const route = routing.slice(routing.indexOf('event_route[xhttp:request]'));
  const check = route.indexOf('if (is_present_hf("Origin") && !(IS_ALLOWED_ORIGIN)) {');
  assert.ok(check > 0 && check < route.indexOf('ws_handle_handshake()'), 'origin check precedes ws_handle_handshake()');
  assert.match(route, /xhttp_reply\("403", "Origin Not Allowed"/);
  assert.match(
    route,
    /xlog\("L_WARN", "websocket: refused upgrade from \$si:\$sp: origin \$\(hdr\(Origin\)\{s\.substr,0,128\}\) is not allowed\\n"\)/,
  );
  // An empty list refuses every browser (and still admits native clients without Origin).
  assert.match(renderKamailioConfig({ ...base, wsAllowedOrigins: [] }), /^#!define IS_ALLOWED_ORIGIN \(0\)$/m);
});

test('ws origins: anything but scheme://host[:port] is refused, so nothing can break out of a cfg string', () => {
  for (const bad of [
    'http://a.example" || 1 || "',
    'http://a.example/path',
    'http://$ru',
    'http://a.example\nx',
    'a.example',
    'http://a\\b',
    '*',
  ]) {
    assert.throws(() => renderKamailioConfig({ ...base, wsAllowedOrigins: [bad] }), /wsAllowedOrigins: .* is not a browser origin/, bad);
  }
  assert.equal(normalizeWsOrigin('http://[::1]:8080', '--cors-origin'), 'http://[::1]:8080');
  assert.throws(
    () => normalizeWsOrigin('https://x.example/app', '--cors-origin'),
    /^Error: --cors-origin: "https:\/\/x\.example\/app" is not a browser origin/,
  );
  assert.deepEqual(wsOriginAllowList(['https://a.example/'], 'x'), ['https://a.example']);
  assert.equal(
    kamailioOriginCondition(['app://clearline', 'http://h:1']),
    '$hdr(Origin) == "app://clearline" || $hdr(Origin) == "http://h:1"',
  );
  assert.throws(() => resolveStackOptions({ stateDir: '/tmp/x', corsOrigins: ['evil" || 1'] }), /--cors-origin/);
});
