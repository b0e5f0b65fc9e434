/**
 * `tsx backend/reflector/main.ts --listen ADDR --port P`: runs the reflector until SIGTERM/SIGINT.
 * Prints `reflector ready on ADDR:PORT` once the socket is bound (the supervisor waits for it).
 */
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { startReflector } from './reflector.js';

function fail(message: string): never {
  console.error(`reflector: ${message}`);
  console.error('usage: tsx backend/reflector/main.ts --listen <IPv4 address> --port <0-65535>');
  process.exit(1);
}

let values: { listen?: string; port?: string };
try {
  ({ values } = parseArgs({ options: { listen: { type: 'string' }, port: { type: 'string' } } }));
} catch (e) {
  fail((e as Error).message);
}
if (!values.listen || isIP(values.listen) !== 4) fail('--listen must be an IPv4 address');
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be an integer 0-65535');

const reflector = startReflector(values.listen, port, (line) => console.error(line));
console.log(`reflector ready on ${values.listen}:${reflector.port}`);

const shutdown = async () => {
  await reflector.stop();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
