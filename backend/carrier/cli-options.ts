/**
 * The carrier's command line → CarrierOptions. Pure (no I/O), so every bad flag has a unit
 * test; each error names the option it is about.
 */
import { isIPv4 } from 'node:net';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_PORT_BASE, portsFor } from '../ports.js';
import { DEFAULT_NUMBERS, NUMBER_ROLES, type CarrierNumbers } from './behaviours.js';
import type { CarrierOptions } from './carrier.js';

export const USAGE = `usage: tsx backend/carrier/main.ts --state-dir DIR [--listen ADDR] [--sip-port P] [--api-port Q]
       [--media-min A] [--media-max B] [--proxy ADDR:PORT] [--domain D] [--numbers JSON]
defaults: --listen 127.0.0.1, ports of base ${DEFAULT_PORT_BASE} (see backend/ports.ts), --proxy <listen>:<base SIP port>,
          --domain <listen>, --numbers ${JSON.stringify(DEFAULT_NUMBERS)}`;

export class CliError extends Error {}

const NumbersSchema = z.strictObject(
  Object.fromEntries(
    NUMBER_ROLES.map((r) => [
      r,
      z
        .string()
        .regex(/^\+?[0-9A-Za-z._-]{1,32}$/, 'must be a SIP user part like 5550100')
        .optional(),
    ]),
  ),
);

function port(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 65535) throw new CliError(`--${name} must be a port number 1-65535 (got ${JSON.stringify(raw)})`);
  return n;
}

function numbers(raw: string | undefined): CarrierNumbers {
  if (raw === undefined) return DEFAULT_NUMBERS;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new CliError(`--numbers must be JSON such as '${JSON.stringify(DEFAULT_NUMBERS)}' (got ${JSON.stringify(raw.slice(0, 60))})`);
  }
  const parsed = NumbersSchema.safeParse(json);
  if (!parsed.success) {
    throw new CliError(
      `--numbers: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ')} (roles: ${NUMBER_ROLES.join(', ')})`,
    );
  }
  const merged = { ...DEFAULT_NUMBERS, ...(parsed.data as Partial<CarrierNumbers>) };
  const values = Object.values(merged);
  const dup = values.find((v, i) => values.indexOf(v) !== i);
  if (dup) throw new CliError(`--numbers: ${dup} is given to two roles; each role needs its own number`);
  return merged;
}

/** The SIP side's options and the HTTP API's port. */
export type CarrierCliOptions = Omit<CarrierOptions, 'log'> & { readonly apiPort: number };

export function parseCarrierArgs(argv: string[]): CarrierCliOptions {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(
        ['listen', 'sip-port', 'api-port', 'media-min', 'media-max', 'proxy', 'domain', 'state-dir', 'numbers'].map((n) => [
          n,
          { type: 'string' as const },
        ]),
      ),
    }) as { values: Record<string, string | undefined> });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const listen = values.listen ?? '127.0.0.1';
  if (!isIPv4(listen)) throw new CliError(`--listen must be an IPv4 address to bind to (got ${JSON.stringify(listen)})`);
  const defaults = portsFor(DEFAULT_PORT_BASE);
  const sipPort = port('sip-port', values['sip-port'], defaults.carrierSip);
  const apiPort = port('api-port', values['api-port'], defaults.carrierApi);
  const mediaMin = port('media-min', values['media-min'], defaults.carrierMediaMin);
  const mediaMax = port('media-max', values['media-max'], defaults.carrierMediaMax);
  if (mediaMax - mediaMin < 1) throw new CliError(`--media-max (${mediaMax}) must be above --media-min (${mediaMin})`);
  if (sipPort === apiPort) throw new CliError(`--sip-port and --api-port must differ (both ${sipPort})`);
  const proxyRaw = values.proxy ?? `${listen}:${defaults.sipUdp}`;
  const proxy = /^([A-Za-z0-9.\-]+):(\d+)$/.exec(proxyRaw);
  if (!proxy) throw new CliError(`--proxy must be ADDR:PORT, e.g. 127.0.0.1:20000 (got ${JSON.stringify(proxyRaw)})`);
  const domain = values.domain ?? listen;
  if (!/^[A-Za-z0-9.\-]+(:\d+)?$/.test(domain))
    throw new CliError(`--domain must be a host name or address (got ${JSON.stringify(domain)})`);
  const stateDir = values['state-dir'];
  if (!stateDir) throw new CliError('--state-dir is required (recordings go to DIR/recordings)');
  return {
    listen,
    sipPort,
    apiPort,
    mediaMin,
    mediaMax,
    proxy: { address: proxy[1]!, port: port('proxy', proxy[2], 0) },
    domain,
    stateDir,
    numbers: numbers(values.numbers),
  };
}
