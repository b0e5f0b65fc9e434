import { z } from 'zod';
import { NUMBER_ROLES } from './carrier/behaviours.js';

/**
 * `DIR/endpoints.json`: what a running stack tells its clients (the softphone launcher, the tests,
 * the diagnostics CLI). Written by the supervisor once every component is ready.
 */
export const EndpointsSchema = z.object({
  sip: z.object({
    wsUrl: z.string(),
    wssUrl: z.string().optional(),
    domain: z.string(),
    udp: z.object({ host: z.string(), port: z.number().int() }),
  }),
  turn: z.object({ urls: z.array(z.string()).min(1), secret: z.string().optional() }),
  controlPlane: z.object({ url: z.string() }),
  /**
   * `apiUrl`: where the admin API (`/api/agents`, `/api/audit`, …) answers — the management
   * listener only (the agents' listener answers 404); `pageUrl`: the admin page there
   * (backend/README.md "Admin page").
   */
  admin: z.object({ token: z.string(), apiUrl: z.string(), pageUrl: z.string() }),
  /** The demo agents and their passwords; empty outside demo mode (the admin creates agents). */
  agents: z.array(z.object({ username: z.string(), password: z.string() })),
  /** The carrier's test numbers by role: exactly the roles the carrier answers (an enum record is exhaustive). */
  numbers: z.record(z.enum(NUMBER_ROLES), z.string()),
  /** The simulated carrier (demo mode only), on the management address. */
  carrier: z.object({ apiUrl: z.string(), sipPort: z.number().int() }).optional(),
  reflector: z.object({ host: z.string(), port: z.number().int() }).optional(),
  caCertPath: z.string().optional(),
  pid: z.number().int(),
});

export type Endpoints = z.infer<typeof EndpointsSchema>;

/** The simulated carrier's API URL; throws when the stack runs without it (not in demo mode). */
export function carrierApiUrl(endpoints: Endpoints): string {
  if (!endpoints.carrier) {
    throw new Error(
      'this stack runs without the simulated carrier: it starts only in demo mode (a loopback --listen, or --demo) without --trunk',
    );
  }
  return endpoints.carrier.apiUrl;
}
