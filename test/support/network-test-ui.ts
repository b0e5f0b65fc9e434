/**
 * Drives the web softphone's network test panel (real Chromium): run it and read the report back
 * from its "Export JSON" link, checked against the report schema. Shared by e2e/network-test and
 * bench/network-test.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { parseNetworkReport, type NetworkReport } from '../../common/network-report.js';

export const networkTestPanel = (page: Page) => page.getByRole('region', { name: 'Network test' });

/** Clicks Run, waits for a new report, and returns the exported JSON, validated against the schema. */
export async function runNetworkTestAndExport(page: Page): Promise<NetworkReport> {
  const panel = networkTestPanel(page);
  const previous = await panel
    .getByRole('link', { name: 'Export JSON' })
    .getAttribute('href', { timeout: 100 })
    .catch(() => null);
  await panel.getByRole('button', { name: 'Run network test' }).click();
  await page.waitForFunction(
    (prev) => {
      const a = document.querySelector('section[aria-label="Network test"] a[download$=".json"]');
      return a !== null && a.getAttribute('href') !== prev;
    },
    previous,
    { timeout: 20_000 },
  );
  const href = (await panel.getByRole('link', { name: 'Export JSON' }).getAttribute('href'))!;
  const json: unknown = JSON.parse(decodeURIComponent(href.replace(/^data:application\/json;charset=utf-8,/, '')));
  const parsed = parseNetworkReport(json);
  assert.ok(parsed.ok, `the exported JSON validates against the report schema: ${parsed.ok ? '' : parsed.error}`);
  return parsed.report;
}
