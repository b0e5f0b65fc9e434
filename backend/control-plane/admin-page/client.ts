/**
 * The admin page's script (served bundled as /admin/admin-page.js; admin-page.ts). It signs in
 * with the admin token (POST /admin/session; the browser then holds only the HttpOnly session
 * cookie), and reads and changes everything through the admin API the token uses, sending the
 * session's CSRF token with every change. Every value shown is set with textContent: report
 * summaries, SIP URIs and display names are attacker-influenced text, never markup. Refreshes every
 * REFRESH_MS while signed in.
 */
import type { Agent } from '../agents.js';
import type { AdminAuditEntry } from '../admin-audit.js';
import type { AuditEntry } from '../audit-store.js';
import type { CallRecord } from '../call-records.js';
import type { StoredCallQuality } from '../call-quality-store.js';
import type { NetworkReportSummary } from '../network-reports.js';
import type { QualityAlert } from '../quality-alert-store.js';
import type { QualityThresholds } from '../../../common/quality/quality-thresholds.js';
import { CSRF_HEADER } from '../admin-page-policy.js';

const REFRESH_MS = 3000;

interface SessionView {
  readonly actor: string;
  readonly csrfToken: string;
  readonly expiresAt: number;
}

const el = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

let session: SessionView | null = null;
let refreshTimer: ReturnType<typeof setInterval> | null = null;

class NotSignedIn extends Error {}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && session) headers[CSRF_HEADER] = session.csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const answer = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (res.status === 401) throw new NotSignedIn(answer.error ?? 'signed out');
  if (!res.ok) throw new Error(answer.error ?? `HTTP ${res.status}`);
  return answer;
}

function text(tag: string, value: unknown, className?: string): HTMLElement {
  const node = document.createElement(tag);
  node.textContent = value === null || value === undefined ? '—' : String(value);
  if (className) node.className = className;
  return node;
}

function button(label: string, onClick: () => Promise<void>): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.addEventListener('click', () => void act(onClick));
  return b;
}

/** Fills a table: one header row, then one row per item (cells are text or elements). */
function fill(tableId: string, headings: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null | Node>>): void {
  const table = el<HTMLTableElement>(tableId);
  const head = document.createElement('tr');
  for (const h of headings) head.append(text('th', h));
  const body = rows.map((cells) => {
    const tr = document.createElement('tr');
    for (const c of cells) {
      if (c instanceof Node) {
        const td = document.createElement('td');
        td.append(c);
        tr.append(td);
      } else tr.append(text('td', c));
    }
    return tr;
  });
  table.replaceChildren(head, ...body);
}

const time = (ms: number | null) => (ms === null ? null : new Date(ms).toLocaleString());
const fixed = (v: number | null, digits: number) => (v === null ? null : v.toFixed(digits));
const seconds = (ms: number | null) => (ms === null ? null : `${Math.round(ms / 1000)} s`);

function mosCell(mos: number | null, thresholds: QualityThresholds): Node {
  return text('span', fixed(mos, 2), mos !== null && mos < thresholds.mos ? 'bad' : undefined);
}

function qualityOf(call: CallRecord, quality: readonly StoredCallQuality[]): StoredCallQuality | undefined {
  // The worst of the two parties' summaries is the call's quality.
  return quality.filter((q) => q.callId === call.callId).sort((a, b) => (a.mosAverage ?? 5) - (b.mosAverage ?? 5))[0];
}

function describeAlert(a: QualityAlert): string {
  if (a.kind === 'agent') return `${a.calls.length} poor calls within the hour`;
  return a.crossed.map((c) => `${c.metric} ${c.value.toFixed(c.metric === 'mos' ? 2 : 1)} (threshold ${c.threshold})`).join(', ');
}

async function showTrail(callId: string): Promise<void> {
  const { events } = await request<{ events: AuditEntry[] }>('GET', `/api/audit?callId=${encodeURIComponent(callId)}&limit=200`);
  el('trail-call').textContent = callId;
  el('trail-title').hidden = false;
  fill(
    'call-trail',
    ['time', 'method', 'code', 'outcome', 'from', 'to'],
    events.map((e) => [time(e.at), e.method, e.code, e.outcome, e.from, e.to]),
  );
}

async function refresh(): Promise<void> {
  const [{ alerts, thresholds }, { calls }, { reports: quality }, { reports: active }, { reports }, { agents }, { actions }] =
    await Promise.all([
      request<{ alerts: QualityAlert[]; thresholds: QualityThresholds }>('GET', '/api/admin/alerts?limit=50'),
      request<{ calls: CallRecord[] }>('GET', '/api/calls?limit=50'),
      request<{ reports: StoredCallQuality[] }>('GET', '/api/admin/call-quality?limit=200'),
      request<{ reports: StoredCallQuality[] }>('GET', '/api/admin/call-quality?active=true'),
      request<{ reports: NetworkReportSummary[] }>('GET', '/api/admin/network-reports?limit=50'),
      request<{ agents: Agent[] }>('GET', '/api/agents'),
      request<{ actions: AdminAuditEntry[] }>('GET', '/api/admin-audit?limit=50'),
    ]);
  el('thresholds').textContent =
    `Alert when MOS < ${thresholds.mos}, loss > ${thresholds.lossPercent} %, jitter > ${thresholds.jitterMs} ms or RTT > ${thresholds.rttMs} ms (the agents' warning thresholds), or an agent has 3 such calls within an hour.`;
  fill(
    'alerts',
    ['time', 'kind', 'agent', 'call', 'what'],
    alerts.map((a) => [time(a.at), a.kind, a.agent, a.kind === 'call' ? a.callId : null, describeAlert(a)]),
  );
  fill(
    'active-calls',
    ['call', 'agent', 'codec', 'live MOS', 'loss % (avg)', 'jitter ms', 'RTT ms', 'warnings', 'updated'],
    active.map((q) => [
      q.callId,
      q.agent,
      q.codec,
      mosCell(q.mosLatest, thresholds),
      fixed(q.lossPercentAverage, 1),
      fixed(q.jitterMsAverage, 0),
      fixed(q.rttMsAverage, 0),
      q.warnings.join(', ') || null,
      time(q.updatedAt),
    ]),
  );
  fill(
    'recent-calls',
    ['started', 'from', 'to', 'disposition', 'duration', 'MOS (avg)', 'MOS (min)', 'loss % (avg)', 'jitter ms', 'RTT ms', 'one-way', ''],
    [...calls].reverse().map((c) => {
      const q = qualityOf(c, quality);
      return [
        time(c.startedAt),
        c.from,
        c.to,
        c.disposition,
        seconds(c.durationMs),
        mosCell(q?.mosAverage ?? null, thresholds),
        fixed(q?.mosMin ?? null, 2),
        fixed(q?.lossPercentAverage ?? null, 1),
        fixed(q?.jitterMsAverage ?? null, 0),
        fixed(q?.rttMsAverage ?? null, 0),
        q?.oneWay ?? null,
        button('Audit trail', () => showTrail(c.callId)),
      ];
    }),
  );
  fill(
    'reports',
    ['received', 'agent', 'shell', 'when', 'verdict', 'summary', ''],
    reports.map((r) => {
      const open = document.createElement('a');
      open.href = `/api/admin/network-reports/${encodeURIComponent(r.id)}?format=html`;
      open.target = '_blank';
      open.rel = 'noopener noreferrer';
      open.textContent = 'Open';
      return [time(r.receivedAt), r.agent, r.shell, r.phase, r.verdict, r.summary, open];
    }),
  );
  fill(
    'agents',
    ['username', 'name', 'status', 'destinations', '', 'new password', ''],
    agents.map((a) => {
      const password = document.createElement('input');
      password.type = 'password';
      password.autocomplete = 'new-password';
      password.setAttribute('aria-label', `new password for ${a.username}`);
      return [
        a.username,
        a.displayName,
        a.disabled ? 'disabled' : 'enabled',
        a.allowedDestinations.join(', '),
        button(a.disabled ? 'Enable' : 'Disable', () => changeAgent(a.username, { disabled: !a.disabled })),
        password,
        button('Reset password', () => changeAgent(a.username, { password: password.value })),
      ];
    }),
  );
  fill(
    'admin-audit',
    ['time', 'who', 'action', 'agent', 'what', 'from'],
    [...actions].reverse().map((x) => [time(x.at), x.actor, x.action, x.target, x.detail, x.sourceAddress]),
  );
}

async function changeAgent(username: string, changes: object): Promise<void> {
  await request('PATCH', `/api/agents/${encodeURIComponent(username)}`, changes);
  el('status').textContent = `${username}: changed`;
  await refresh();
}

/** Runs a user action: a lost session shows the sign-in form, any other failure its message. */
async function act(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (err instanceof NotSignedIn) showSignIn((err as Error).message);
    else el('status').textContent = (err as Error).message;
  }
}

function showSignIn(reason: string): void {
  session = null;
  if (refreshTimer) clearInterval(refreshTimer);
  refreshTimer = null;
  el('console').hidden = true;
  el('who').hidden = true;
  el('sign-in').hidden = false;
  el('sign-in-error').textContent = reason;
}

async function showConsole(view: SessionView): Promise<void> {
  session = view;
  el('actor').textContent = view.actor;
  el('who').hidden = false;
  el('sign-in').hidden = true;
  el('console').hidden = false;
  el('status').textContent = '';
  await act(refresh);
  refreshTimer ??= setInterval(() => void act(refresh), REFRESH_MS);
}

el('sign-in').addEventListener('submit', (e) => {
  e.preventDefault();
  const token = el<HTMLInputElement>('token');
  void (async () => {
    try {
      const view = await request<SessionView>('POST', '/admin/session', { token: token.value });
      token.value = '';
      await showConsole(view);
    } catch (err) {
      el('sign-in-error').textContent = (err as Error).message;
    }
  })();
});

el('sign-out').addEventListener(
  'click',
  () =>
    void act(async () => {
      await request('POST', '/admin/session/end');
      showSignIn('Signed out.');
    }),
);

el('new-agent').addEventListener('submit', (e) => {
  e.preventDefault();
  void act(async () => {
    const username = el<HTMLInputElement>('new-username').value;
    const displayName = el<HTMLInputElement>('new-display-name').value;
    await request('POST', '/api/agents', { username, password: el<HTMLInputElement>('new-password').value, displayName });
    el<HTMLFormElement>('new-agent').reset();
    el('status').textContent = `${username}: created`;
    await refresh();
  });
});

void (async () => {
  try {
    await showConsole(await request<SessionView>('GET', '/admin/session'));
  } catch {
    showSignIn('');
  }
})();
