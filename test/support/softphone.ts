import type { Locator, Page } from 'playwright-core';

/**
 * The web softphone as an agent uses it, driven only by accessible names (the UI contract).
 * Every wait is bounded; failures say what was expected and what the page showed.
 */
export class Softphone {
  constructor(readonly page: Page) {
    page.setDefaultTimeout(10_000);
  }

  get registration(): Locator {
    return this.page.getByRole('status', { name: 'Registration' });
  }
  get callStatus(): Locator {
    return this.page.getByRole('status', { name: 'Call status' });
  }
  get activeCall(): Locator {
    return this.page.getByRole('region', { name: 'Active call' });
  }
  get incomingCall(): Locator {
    return this.page.getByRole('region', { name: 'Incoming call' });
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url, { timeout: 15_000 });
  }

  async signIn(provisioningUrl: string, username: string, password: string): Promise<void> {
    const p = this.page;
    await p.getByLabel('Provisioning URL').fill(provisioningUrl, { timeout: 10_000 });
    await p.getByLabel('Username').fill(username);
    await p.getByLabel('Password').fill(password);
    await p.getByRole('button', { name: 'Sign in' }).click();
  }

  async signOut(): Promise<void> {
    await this.page.getByRole('button', { name: 'Sign out' }).click({ timeout: 5000 });
    await this.page.getByLabel('Username').waitFor({ timeout: 10_000 });
  }

  async waitRegistered(timeoutMs = 15_000): Promise<void> {
    await this.waitRegistration(/Registered/, timeoutMs);
  }

  /** Waits until the "Registration" region shows text matching `pattern`; returns that text. */
  async waitRegistration(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    await this.registration
      .filter({ hasText: pattern })
      .waitFor({ timeout: timeoutMs })
      .catch(async (error) => {
        const shown = await this.registration.innerText({ timeout: 1000 }).catch(() => '(no Registration region)');
        throw new Error(`Registration never matched ${pattern}; it shows “${shown}” (${String(error).split('\n')[0]})`);
      });
    return this.registration.innerText();
  }

  /** Everything the page currently shows in alerts and status regions (for clear-error checks). */
  async shownMessages(): Promise<string> {
    const texts = await this.page.locator('[role="status"], [role="alert"]').allInnerTexts();
    return texts.join(' | ');
  }

  async dial(target: string): Promise<void> {
    await this.page.getByLabel('Number or colleague').fill(target, { timeout: 10_000 });
    await this.page.getByRole('button', { name: 'Call', exact: true }).click();
  }

  async waitActive(timeoutMs = 15_000): Promise<void> {
    await this.activeCall.waitFor({ timeout: timeoutMs });
  }

  async answer(timeoutMs = 15_000): Promise<void> {
    await this.incomingCall.getByRole('button', { name: 'Answer' }).click({ timeout: timeoutMs });
  }

  async decline(): Promise<void> {
    await this.incomingCall.getByRole('button', { name: 'Decline' }).click({ timeout: 5000 });
  }

  async hangUp(): Promise<void> {
    await this.activeCall.getByRole('button', { name: 'Hang up' }).click({ timeout: 5000 });
  }

  async cancel(): Promise<void> {
    await this.page.getByRole('button', { name: 'Cancel' }).click({ timeout: 5000 });
  }

  async press(button: string): Promise<void> {
    await this.activeCall.getByRole('button', { name: button, exact: true }).click({ timeout: 5000 });
  }

  async sendDigits(digits: string): Promise<void> {
    const keypad = this.page.getByRole('group', { name: 'Keypad' });
    if (!(await keypad.isVisible())) await this.press('Keypad');
    for (const d of digits) await keypad.getByRole('button', { name: d, exact: true }).click({ timeout: 5000 });
  }

  async transferTo(target: string): Promise<void> {
    await this.press('Transfer');
    await this.page.getByLabel('Transfer to').fill(target, { timeout: 5000 });
    await this.page.getByRole('button', { name: 'Transfer call' }).click();
  }

  /** Leaves no call behind (after a failed test): hangs up, cancels, declines whatever is there. */
  async endAllCalls(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      const button = this.page.getByRole('button', { name: /^(Hang up|Cancel|Decline)$/ }).first();
      if (!(await button.isVisible().catch(() => false))) return;
      await button.click({ timeout: 2000 }).catch(() => undefined);
      await this.page.waitForTimeout(300);
    }
  }

  /** Waits until the "Call status" region shows text matching `pattern`. */
  async waitCallStatus(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    await this.callStatus
      .filter({ hasText: pattern })
      .waitFor({ timeout: timeoutMs })
      .catch(async (error) => {
        throw new Error(`Call status never matched ${pattern}; it shows “${await this.callStatus.innerText()}” (${String(error)})`);
      });
    return this.callStatus.innerText();
  }

  /**
   * Records every text the "Call status" region shows from now on, however briefly: a notice up for
   * 200 ms falls between the polls of `waitCallStatus` (Playwright checks every 500 ms after the
   * first few tries). `seen(pattern)` waits up to `timeoutMs` for one that matched.
   */
  async recordCallStatus(): Promise<{ seen(pattern: RegExp, timeoutMs?: number): Promise<string> }> {
    await this.page.evaluate(`(() => {
      const region = document.querySelector('[role="status"][aria-label="Call status"]');
      const texts = (window.__e2eCallStatusTexts = [region ? region.textContent : '']);
      window.__e2eCallStatusObserver?.disconnect();
      window.__e2eCallStatusObserver = new MutationObserver(() => {
        const now = document.querySelector('[role="status"][aria-label="Call status"]');
        if (now && texts[texts.length - 1] !== now.textContent) texts.push(now.textContent);
      });
      window.__e2eCallStatusObserver.observe(document.body, { subtree: true, childList: true, characterData: true });
    })()`);
    const texts = async () => (await this.page.evaluate('window.__e2eCallStatusTexts')) as string[];
    return {
      seen: async (pattern, timeoutMs = 10_000) => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const all = await texts();
          const hit = all.find((t) => pattern.test(t));
          if (hit !== undefined) return hit;
          if (Date.now() > deadline) throw new Error(`Call status never showed ${pattern}; it showed ${JSON.stringify(all)}`);
          await this.page.waitForTimeout(100);
        }
      },
    };
  }

  /** The UI's own meters (0..1), refreshed by the UI from the call's stats readings (Phone.watchStats). */
  async meters(): Promise<{ incoming: number; outgoing: number }> {
    const read = async (name: string) => Number(await this.page.getByRole('meter', { name }).getAttribute('value', { timeout: 5000 }));
    return { incoming: await read('Incoming audio level'), outgoing: await read('Outgoing audio level') };
  }

  /** Highest meter readings seen while polling for `ms` (meters refresh every ≤ 500 ms). */
  async peakMeters(ms: number): Promise<{ incoming: number; outgoing: number }> {
    const peak = { incoming: 0, outgoing: 0 };
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const m = await this.meters();
      peak.incoming = Math.max(peak.incoming, m.incoming);
      peak.outgoing = Math.max(peak.outgoing, m.outgoing);
      await this.page.waitForTimeout(250);
    }
    return peak;
  }
}
