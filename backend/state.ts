import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * Secrets generated once per state dir and kept in DIR/secrets.json (0600): tokens, the TURN REST
 * secret, the nonce secret, and the demo agents' passwords (which endpoints.json lists in demo
 * mode only: it is a local demo/test file). The database itself keeps only digest HA1 values.
 */
export const StackSecretsSchema = z.object({
  adminToken: z.string(),
  internalToken: z.string(),
  turnSecret: z.string(),
  nonceSecret: z.string(),
  /** HMAC-SHA256 key that signs each alert webhook payload (alert-webhook.ts); added to older files at start. */
  alertWebhookSecret: z.string().optional(),
  demoAgents: z.array(z.object({ username: z.string(), password: z.string(), displayName: z.string() })),
});
export type StackSecrets = z.infer<typeof StackSecretsSchema> & { readonly alertWebhookSecret: string };

export const DEMO_AGENTS = [
  { username: 'alice', displayName: 'Alice' },
  { username: 'bob', displayName: 'Bob' },
  { username: 'carol', displayName: 'Carol' },
] as const;

const secret = (bytes = 24) => randomBytes(bytes).toString('base64url');

/** Demo passwords: 24 random bytes, 32 base64url characters (an earlier release made 16). */
export const DEMO_PASSWORD_MIN_LENGTH = 32;
const demoPassword = () => secret(24);

export function loadOrCreateSecrets(stateDir: string): StackSecrets {
  const file = join(stateDir, 'secrets.json');
  if (existsSync(file)) {
    const parsed = StackSecretsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`--state-dir: ${file} is not a valid secrets file; remove it to regenerate`);
    const { alertWebhookSecret, ...kept } = parsed.data;
    const shortDemoPasswords = parsed.data.demoAgents.some((a) => a.password.length < DEMO_PASSWORD_MIN_LENGTH);
    if (alertWebhookSecret !== undefined && !shortDemoPasswords) return { ...kept, alertWebhookSecret };
    // A file from an earlier release: short demo passwords (the control plane re-provisions the new
    // ones) or no webhook signing key yet.
    const upgraded: StackSecrets = {
      ...kept,
      alertWebhookSecret: alertWebhookSecret ?? secret(32),
      demoAgents: shortDemoPasswords ? kept.demoAgents.map((a) => ({ ...a, password: demoPassword() })) : kept.demoAgents,
    };
    writeSecrets(file, upgraded);
    return upgraded;
  }
  const secrets: StackSecrets = {
    adminToken: secret(),
    internalToken: secret(),
    turnSecret: secret(),
    nonceSecret: secret(), // 32 characters: Kamailio warns below that
    alertWebhookSecret: secret(32),
    demoAgents: DEMO_AGENTS.map((a) => ({ ...a, password: demoPassword() })),
  };
  writeSecrets(file, secrets);
  return secrets;
}

function writeSecrets(file: string, secrets: StackSecrets): void {
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
}
