import { z } from 'zod';
import { MAX_AUDIT_RETENTION_DAYS } from './retention.js';
import { QualityThresholdsSchema } from '../../common/quality/quality-thresholds.js';

/**
 * The control plane's configuration file (written by the supervisor, mode 0600: it holds
 * secrets, which is why they are not passed on the command line where `ps` would show them).
 */
export const ControlPlaneConfigSchema = z.object({
  listen: z.string(),
  port: z.number().int().min(1).max(65535),
  /** HTTPS on listen:port (PEM files). Without it the API is plain HTTP, which the stack allows on loopback only. */
  tls: z.object({ certFile: z.string(), keyFile: z.string() }).optional(),
  /**
   * A second listener, plain HTTP, on the management address: Kamailio's audit feed posts here
   * (its http_client then needs no CA), and it never faces agents.
   */
  internal: z.object({ listen: z.string(), port: z.number().int().min(1).max(65535) }).optional(),
  dbUrl: z.string(),
  realm: z.string(),
  adminToken: z.string().min(16),
  internalToken: z.string().min(16),
  turn: z.object({
    secret: z.string().min(16),
    ttlSec: z.number().int().positive(),
    uris: z.array(z.string()).min(1),
  }),
  client: z.object({
    wsUrl: z.string(),
    /** The other Kamailio nodes' SIP WebSocket URLs (multi-node): the client's fallbacks. */
    fallbackWsUrls: z.array(z.string()).optional(),
    domain: z.string(),
    registerExpiresSec: z.number().int().positive(),
    numbers: z.record(z.string(), z.string()),
    reflector: z.object({ host: z.string(), port: z.number().int() }).optional(),
    /** rtpengine's media timeout, for the softphone's own (ClientConfig.call). */
    mediaTimeoutSeconds: z.number().int().positive().optional(),
  }),
  publicUrl: z.string(),
  /** SIP WebSocket URLs the web softphone may connect to (CSP connect-src). */
  wsUrls: z.array(z.string()),
  corsOrigins: z.array(z.string()),
  webRoot: z.string(),
  demoAgents: z.array(z.object({ username: z.string(), password: z.string(), displayName: z.string() })),
  /**
   * Outside demo mode: the demo agents an earlier demo run may have left in the database. Removed at
   * start while they still have their demo password (one the admin has changed since is kept).
   */
  retiredDemoAgents: z.array(z.object({ username: z.string(), password: z.string() })).optional(),
  /**
   * Kamailio's ctl socket (`kamcmd -s unix:PATH`): disabling, deleting or resetting an agent drops
   * its registrations through it. Without it they stay until they expire.
   */
  kamailioCtlSocket: z.string().optional(),
  /** Audit events, call records and admin actions older than this are purged (default 90). */
  auditRetentionDays: z.number().int().min(1).max(MAX_AUDIT_RETENTION_DAYS).optional(),
  /** When agents' clients warn about call quality (sent in the client config); default DEFAULT_QUALITY_THRESHOLDS. */
  qualityThresholds: QualityThresholdsSchema.optional(),
  /** Where quality alerts are POSTed (`--alert-webhook`; alert-webhook.ts). A secret may be in it: never logged. */
  alertWebhook: z.string().optional(),
  /** HMAC-SHA256 key signing each webhook payload (secrets.json `alertWebhookSecret`); required with `alertWebhook`. */
  alertWebhookSecret: z.string().min(32).optional(),
});
export type ControlPlaneConfig = z.infer<typeof ControlPlaneConfigSchema>;
