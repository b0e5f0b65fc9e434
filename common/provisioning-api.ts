import { z } from 'zod';
import { QualityThresholdsSchema } from './quality/quality-thresholds.js';

/**
 * A call without media in either direction for this long is ended: by the server on both legs (`--media-timeout-seconds`), and by the softphone. Long enough for
 * the softphone's own recovery (an ICE restart over TURN takes seconds) and a hold without
 * RTCP; short enough that a PSTN leg whose agent vanished stops billing within a minute.
 */
export const DEFAULT_MEDIA_TIMEOUT_SECONDS = 60;

/** What the control plane hands an authenticated agent (`GET /api/client-config`). */
export const ClientConfigSchema = z.object({
  agent: z.object({ username: z.string().min(1), displayName: z.string() }),
  sip: z.object({
    wsUrl: z.string().regex(/^wss?:\/\//, 'sip.wsUrl must be a ws:// or wss:// URL'),
    /**
     * More signaling nodes (several Kamailio nodes sharing registrations), tried in order when
     * `wsUrl` cannot be reached; absent for a single node.
     */
    fallbackWsUrls: z
      .array(z.string().regex(/^wss?:\/\//, 'sip.fallbackWsUrls must be ws:// or wss:// URLs'))
      .max(8)
      .optional(),
    domain: z.string().min(1),
    registerExpiresSec: z.number().int().positive(),
  }),
  controlPlaneUrl: z.string().url(),
  /** Test and service numbers the UI offers as one-click dials (echo test, tone). */
  numbers: z.record(z.string(), z.string()),
  diagnostics: z.object({ reflector: z.object({ host: z.string(), port: z.number().int() }) }).optional(),
  /** When the in-call monitor warns; absent (an older control plane) → DEFAULT_QUALITY_THRESHOLDS. */
  quality: QualityThresholdsSchema.optional(),
  /**
   * The server's media timeout (`--media-timeout-seconds`): a call with no audio either way this long
   * is ended by the softphone too, so it ends even when signalling is gone. Absent → DEFAULT_MEDIA_TIMEOUT_SECONDS.
   */
  call: z.object({ mediaTimeoutSeconds: z.number().int().positive() }).optional(),
});
export type ClientConfig = z.infer<typeof ClientConfigSchema>;

/** draft-uberti-behave-turn-rest response (`GET /api/turn-credentials`). */
export const TurnCredentialsSchema = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
  ttl: z.number().int().positive(),
  uris: z.array(z.string().regex(/^(turns?|stuns?):/)).min(1),
});
export type TurnCredentials = z.infer<typeof TurnCredentialsSchema>;

export const SignInRequestSchema = z.object({
  url: z.string().url(),
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});
export type SignInRequest = z.infer<typeof SignInRequestSchema>;

/** A signed-in session as the renderer sees it: config + the SIP secret it registers with. */
export const SessionSchema = z.object({
  config: ClientConfigSchema,
  password: z.string(),
  turn: TurnCredentialsSchema,
});
export type Session = z.infer<typeof SessionSchema>;
