/**
 * Test stand-in for the control plane + the SIP WebSocket front, run inside the server namespace:
 * serves /api/client-config and /api/turn-credentials over HTTPS (the clients refuse http:// to
 * another computer; HTTP Basic, TURN REST credentials for the
 * real coturn next to it), answers WebSocket upgrades that ask for `sip` on a TLS port, and runs a
 * plain HTTP CONNECT proxy. Prints "provisioning ready" when all three listen.
 *
 *   --listen ADDR --api-port N --wss-port N --proxy-port N --cert F --key F --config-json JSON
 *   --turn-secret S
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values: a } = parseArgs({
  options: {
    listen: { type: 'string' },
    'api-port': { type: 'string' },
    'wss-port': { type: 'string' },
    'proxy-port': { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    'config-json': { type: 'string' },
    'turn-secret': { type: 'string' },
    'turn-uris': { type: 'string' },
  },
});
const listen = a.listen!;
const USER = 'agent1';
const PASSWORD = 'agent1-password';
const clientConfig = JSON.parse(a['config-json']!);

function authorised(req: http.IncomingMessage): boolean {
  return req.headers.authorization === `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
}

const tls = { cert: readFileSync(a.cert!), key: readFileSync(a.key!) };

const api = https.createServer(tls, (req, res) => {
  if (!authorised(req)) {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="clearline"' }).end();
    return;
  }
  if (req.url === '/api/client-config') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(clientConfig));
  } else if (req.url === '/api/turn-credentials') {
    const username = `${Math.floor(Date.now() / 1000) + 600}:${USER}`;
    const password = createHmac('sha1', a['turn-secret']!).update(username).digest('base64');
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ username, password, ttl: 600, uris: JSON.parse(a['turn-uris']!) }));
  } else {
    res.writeHead(404).end();
  }
});

const wss = https.createServer(tls, (_req, res) => res.writeHead(426).end());
wss.on('upgrade', (req, socket) => {
  const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim());
  if (req.headers.upgrade?.toLowerCase() !== 'websocket' || !protocols.includes('sip')) {
    socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    return;
  }
  const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: sip\r\n\r\n`,
  );
  socket.on('error', () => undefined);
});

const proxy = http.createServer((_req, res) => res.writeHead(405).end());
proxy.on('connect', (req, client) => {
  const [host, port] = String(req.url).split(':');
  const upstream = net.connect(Number(port), host!, () => {
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    upstream.pipe(client).pipe(upstream);
  });
  upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
  client.on('error', () => upstream.destroy());
});

await Promise.all(
  [
    [api, a['api-port']],
    [wss, a['wss-port']],
    [proxy, a['proxy-port']],
  ].map(([server, port]) => new Promise<void>((r) => (server as net.Server).listen(Number(port), listen, r))),
);
console.log('provisioning ready');
process.once('SIGTERM', () => process.exit(0));
