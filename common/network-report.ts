import { z } from 'zod';
import { HostError } from './host-error.js';
import { DiagnosticVerdictSchema, type DiagnosticStepResult } from './contract/index.js';

/**
 * The network test's report: what the app keeps as the last result, exports as JSON (and as the
 * HTML page built from it), and uploads to the helpdesk (`POST /api/network-reports`). Versioned:
 * `version` changes whenever a reader of an older report would misread a newer one; readers
 * refuse a version they do not know instead of guessing.
 *
 * A report is attacker-influenced data (any agent can send one, and anyone can edit a JSON file
 * before opening it again), so every string and array has a bound, unknown keys are refused, and
 * everything that shows it (the HTML export, the admin page) escapes every value.
 */

export const NETWORK_REPORT_KIND = 'clearline.network-report';
export const NETWORK_REPORT_VERSION = 1;

/** The largest report the control plane takes; the app checks the same number before it sends. */
export const NETWORK_REPORT_MAX_BYTES = 60 * 1024;

const text = (max: number) => z.string().max(max);

/**
 * A step's measured values: flat scalars and short number series (a level meter's samples, RTT
 * over time) that the HTML export draws as charts. Nothing nested: a report is read by people.
 */
export const ReportValueSchema = z.union([text(1000), z.number(), z.boolean(), z.null(), z.array(z.number()).max(600)]);

export const ReportStepSchema = z
  .object({
    id: text(64).min(1),
    title: text(200),
    verdict: DiagnosticVerdictSchema,
    explanation: text(2000),
    fix: text(2000).optional(),
    values: z.record(text(64), ReportValueSchema).refine((v) => Object.keys(v).length <= 40, 'at most 40 values per step'),
    durationMs: z.number().nonnegative(),
  })
  .strict();

/** A check this shell cannot run, and why (the web softphone names the desktop-only checks). */
export const UnavailableCheckSchema = z.object({ id: text(64).min(1), title: text(200), reason: text(500) }).strict();

export const NetworkReportSchema = z
  .object({
    kind: z.literal(NETWORK_REPORT_KIND),
    version: z.literal(NETWORK_REPORT_VERSION),
    runId: text(64).min(1),
    /** Which app ran it: the desktop app runs the native checks too. */
    shell: z.enum(['electron', 'web']),
    appVersion: text(64),
    /** Before sign-in only the account-free checks run. */
    phase: z.enum(['before-sign-in', 'signed-in']),
    /** The signed-in agent, null before sign-in. */
    agent: text(64).nullable(),
    /** The provisioning URL the checks were aimed at. */
    provisioningUrl: text(2048),
    startedAt: z.iso.datetime(),
    /** Wall-clock time from the start of the first check to the end of the last. */
    totalMs: z.number().nonnegative(),
    verdict: DiagnosticVerdictSchema,
    summary: text(2000),
    steps: z.array(ReportStepSchema).max(100),
    unavailable: z.array(UnavailableCheckSchema).max(50),
  })
  .strict();
export type NetworkReport = z.infer<typeof NetworkReportSchema>;

/**
 * The report's schema as a JSON Schema document (draft 2020-12), for tools outside TypeScript that
 * read exported reports (a ticketing system's importer, jq scripts).
 */
export function networkReportJsonSchema(): Record<string, unknown> {
  return {
    $id: `https://clearline.invalid/schemas/${NETWORK_REPORT_KIND}/v${NETWORK_REPORT_VERSION}.json`,
    title: 'Clearline network test report',
    ...z.toJSONSchema(NetworkReportSchema),
  };
}

/** A report read back from a file or an upload: the parsed report, or why it is not one (in words). */
export function parseNetworkReport(input: unknown): { ok: true; report: NetworkReport } | { ok: false; error: string } {
  if (typeof input === 'object' && input !== null && (input as { kind?: unknown }).kind === NETWORK_REPORT_KIND) {
    const version = (input as { version?: unknown }).version;
    if (version !== NETWORK_REPORT_VERSION) {
      return {
        ok: false,
        error: `report version ${String(version)} is not one this app reads (it reads version ${NETWORK_REPORT_VERSION})`,
      };
    }
  }
  const parsed = NetworkReportSchema.safeParse(input);
  if (parsed.success) return { ok: true, report: parsed.data };
  const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(report)'}: ${i.message}`);
  return { ok: false, error: `not a Clearline network report: ${issues.join('; ')}` };
}

/** A measured value as a report keeps it: scalars and number series as they are, anything else as bounded text. */
function reportValue(v: unknown): z.infer<typeof ReportValueSchema> {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.slice(0, 1000);
  if (Array.isArray(v) && v.every((n) => typeof n === 'number')) return (v as number[]).slice(-600);
  return (JSON.stringify(v) ?? String(v)).slice(0, 1000);
}

/** The runner's step results as report steps: every field cut to the schema's bounds. */
export function reportStepsFrom(results: readonly DiagnosticStepResult[]): z.infer<typeof ReportStepSchema>[] {
  return results.slice(0, 100).map((r) => ({
    id: r.id.slice(0, 64),
    title: r.title.slice(0, 200),
    verdict: r.verdict,
    explanation: r.explanation.slice(0, 2000),
    ...(r.fix !== undefined ? { fix: r.fix.slice(0, 2000) } : {}),
    values: Object.fromEntries(
      Object.entries(r.values)
        .slice(0, 40)
        .map(([k, v]) => [k.slice(0, 64), reportValue(v)]),
    ),
    durationMs: Math.max(0, r.durationMs),
  }));
}

/**
 * A provisioning URL as the key a host keeps the last report under: "https://pbx.example" typed
 * before sign-in and "https://pbx.example/" remembered by the session are one server.
 */
export function reportOwnerUrl(url: string): string {
  return URL.canParse(url) ? new URL(url).href : url;
}

/** A report a host was asked to send: parsed, or an 'invalid-request' host error that says what is wrong. */
export function checkedReport(input: unknown): NetworkReport {
  const parsed = parseNetworkReport(input);
  if (!parsed.ok) throw new HostError('invalid-request', parsed.error);
  return parsed.report;
}
