import { z } from 'zod';

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
  admin: z.object({ token: z.string() }),
  agents: z.array(z.object({ username: z.string(), password: z.string() })).min(2),
  numbers: z.object({
    echo: z.string(),
    tone: z.string(),
    record: z.string(),
    busy: z.string(),
    noAnswer: z.string(),
  }),
  carrier: z.object({ apiUrl: z.string(), sipPort: z.number().int() }),
  reflector: z.object({ host: z.string(), port: z.number().int() }).optional(),
  caCertPath: z.string().optional(),
  pid: z.number().int(),
});

export type Endpoints = z.infer<typeof EndpointsSchema>;
