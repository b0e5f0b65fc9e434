/**
 * Posts each quality alert to the operator's webhook (`--alert-webhook URL`) as JSON
 * (ALERT_WEBHOOK_PAYLOAD_VERSION; the shape is `alertPayload` below, documented in
 * backend/README.md "Admin page"). Delivery is best effort and bounded:
 *
 * - one alert at a time, in order; at most MAX_QUEUED waiting (past that the oldest is dropped
 *   and the log says how many) — a dead receiver costs a bounded queue, never memory without end;
 * - each attempt times out after `timeoutMs`; up to `attempts` attempts with the shared backoff
 *   between them; retried on a network error, a timeout, 408, 429 and 5xx, not on other answers
 *   (the receiver refused this payload: the next attempt would be refused too);
 * - redirects are not followed (they would carry the alert to another URL);
 * - the log names the receiver by scheme://host:port only: webhook URLs carry their secret in the
 *   path or query (Slack, Teams, most incident tools), so the full URL is never logged.
 *
 * - each payload is signed (signAlertPayload): a receiver can tell it came from this backend and
 *   was not replayed, whatever its URL's secret — which travels in every request and lands in
 *   proxies' and the receiver's logs.
 *
 * The URL: https, or http to a loopback host only (a receiver on this machine); no user:password
 * part (fetch refuses it, and it would be a secret in the URL's most-logged part).
 */
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelayMs, type BackoffPolicy } from '../../common/backoff.js';
import type { QualityThresholds } from '../../common/quality/quality-thresholds.js';
import type { QualityAlert } from './quality-alert-store.js';
import { AGENT_ALERT_WINDOW_MS } from './quality-alerts.js';

export const ALERT_WEBHOOK_PAYLOAD_VERSION = 1;
export const MAX_QUEUED = 100;

export interface AlertWebhookPolicy {
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly backoff: BackoffPolicy;
}

export const DEFAULT_ALERT_WEBHOOK_POLICY: AlertWebhookPolicy = { timeoutMs: 5000, attempts: 3, backoff: { baseMs: 1000, maxMs: 10_000 } };

const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/i;

/** The webhook URL checked; throws naming what is wrong (never echoing the URL: it may hold a secret). */
export function parseAlertWebhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('--alert-webhook must be an absolute URL, https://host/path');
  }
  if (url.username || url.password) throw new Error('--alert-webhook must not carry user:password@ (put the secret in the path or query)');
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname)) return url;
  throw new Error('--alert-webhook must be https:// (plain http:// only to a loopback receiver on this machine)');
}

const SIGNATURE_HEADER = 'x-clearline-signature';
const TIMESTAMP_HEADER = 'x-clearline-timestamp';

/**
 * The signature headers for one payload: `X-Clearline-Timestamp: <unix seconds>` and
 * `X-Clearline-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`. The
 * timestamp is inside the MAC, so a receiver that refuses stale timestamps (backend/README.md:
 * 5 minutes) refuses a replay, and a changed body or timestamp fails the comparison.
 */
export function signAlertPayload(secret: string, timestampSec: number, body: string): Record<string, string> {
  const mac = createHmac('sha256', secret).update(`${timestampSec}.${body}`).digest('hex');
  return { [TIMESTAMP_HEADER]: String(timestampSec), [SIGNATURE_HEADER]: `sha256=${mac}` };
}

/** The signing key a config with a webhook must carry (the stack puts secrets.json's there). */
export function webhookSecretOf(config: { alertWebhookSecret?: string | undefined }): string {
  if (!config.alertWebhookSecret) throw new Error('alertWebhook needs alertWebhookSecret (the stack takes it from secrets.json)');
  return config.alertWebhookSecret;
}

/** How the log names the receiver: never its path or query, where the secret is. */
export function webhookLogName(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

/** The JSON body the webhook receives for one alert. */
export function alertPayload(alert: QualityAlert, thresholds: QualityThresholds) {
  return {
    source: 'clearline',
    type: 'call-quality-alert',
    version: ALERT_WEBHOOK_PAYLOAD_VERSION,
    alert: {
      id: alert.id,
      at: new Date(alert.at).toISOString(),
      kind: alert.kind,
      agent: alert.agent,
      ...(alert.kind === 'call'
        ? { callId: alert.callId, crossed: alert.crossed }
        : { calls: alert.calls, windowMinutes: AGENT_ALERT_WINDOW_MS / 60_000 }),
    },
    thresholds,
  };
}

type Outcome = { readonly delivered: true } | { readonly delivered: false; readonly retry: boolean; readonly reason: string };

export class AlertWebhook {
  private readonly queue: QualityAlert[] = [];
  private dropped = 0;
  private running: Promise<void> | null = null;

  constructor(
    private readonly url: URL,
    private readonly secret: string,
    private readonly thresholds: QualityThresholds,
    private readonly log: (line: string) => void,
    private readonly policy: AlertWebhookPolicy = DEFAULT_ALERT_WEBHOOK_POLICY,
  ) {}

  /** Queues the alert for delivery; returns at once. */
  send(alert: QualityAlert): void {
    if (this.queue.length >= MAX_QUEUED) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(alert);
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
  }

  /** Resolves when every queued alert was delivered or given up on. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    for (let alert = this.queue.shift(); alert; alert = this.queue.shift()) {
      if (this.dropped > 0) {
        this.log(`alert webhook ${webhookLogName(this.url)}: ${this.dropped} alerts dropped, the receiver is too slow or down`);
        this.dropped = 0;
      }
      await this.deliver(alert);
    }
  }

  private async deliver(alert: QualityAlert): Promise<void> {
    const body = JSON.stringify(alertPayload(alert, this.thresholds));
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(body);
      if (outcome.delivered) return;
      if (!outcome.retry || attempt >= this.policy.attempts) {
        this.log(
          `alert webhook ${webhookLogName(this.url)}: alert ${alert.id} not delivered after ${attempt} attempts (${outcome.reason})`,
        );
        return;
      }
      await sleep(backoffDelayMs(this.policy.backoff, attempt));
    }
  }

  private async attempt(body: string): Promise<Outcome> {
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': `clearline-alerts/${ALERT_WEBHOOK_PAYLOAD_VERSION}`,
          // Signed per attempt: a retry carries a fresh timestamp, so a slow receiver does not refuse it as stale.
          ...signAlertPayload(this.secret, Math.floor(Date.now() / 1000), body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.policy.timeoutMs),
      });
      await res.body?.cancel();
      if (res.status >= 200 && res.status < 300) return { delivered: true };
      const retry = res.status === 408 || res.status === 429 || res.status >= 500;
      return { delivered: false, retry, reason: `HTTP ${res.status}` };
    } catch (err) {
      // Only the error's kind: undici's messages and causes can quote the request URL.
      const e = err as Error & { cause?: { code?: string } };
      const reason = e.name === 'TimeoutError' ? `no answer within ${this.policy.timeoutMs} ms` : (e.cause?.code ?? e.name);
      return { delivered: false, retry: true, reason };
    }
  }
}
