/**
 * Creates tun device NAME and holds it open until killed, the way a VPN client does: a tun nobody
 * has open has no carrier, and the OS (and Node's os.networkInterfaces) treats it as down.
 * Usage: node --import tsx hold-tun.ts NAME   → prints "tun ready".
 */
import { openSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const koffi = require('koffi') as typeof import('koffi');
const ioctl = koffi.load('libc.so.6').func('int ioctl(int, unsigned long, void *)');
const TUNSETIFF = 0x400454ca;
const IFF_TUN = 0x0001;
const IFF_NO_PI = 0x1000;

const name = process.argv[2];
if (!name || name.length > 15) throw new Error('usage: hold-tun.ts NAME (at most 15 characters)');
const fd = openSync('/dev/net/tun', 'r+');
const ifreq = Buffer.alloc(40);
ifreq.write(name, 0, 'latin1');
ifreq.writeUInt16LE(IFF_TUN | IFF_NO_PI, 16);
if (ioctl(fd, TUNSETIFF, ifreq) !== 0) throw new Error(`TUNSETIFF ${name} failed: errno ${koffi.errno()}`);
console.log('tun ready');
setInterval(() => undefined, 1 << 30);
process.once('SIGTERM', () => process.exit(0));
