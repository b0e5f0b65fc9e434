import { errorText, outcome } from '../../../common/diagnostics/step.js';
import type { PageStepDefinition } from '../page-step.js';

export const CONTROL_PLANE_TIMEOUT_MS = 4000;

/** Can this page reach the provisioning server at all (its health check), and how fast. */
export const controlPlaneStep: PageStepDefinition = {
  id: 'control-plane',
  title: 'Provisioning server',
  blocking: true,
  needsAccount: false,
  async run({ probes, provisioningUrl }) {
    let url: URL;
    try {
      url = new URL('/healthz', provisioningUrl);
    } catch {
      return outcome('fail', `"${provisioningUrl}" is not a URL`, {}, 'type the provisioning URL your IT gave you (https://…)');
    }
    try {
      const { status, ms } = await probes.fetchTimed(url.href, CONTROL_PLANE_TIMEOUT_MS);
      const values = { host: url.host, status, ms: Math.round(ms) };
      if (status === 200) return outcome('pass', `${url.host} answered in ${values.ms} ms`, values);
      if (status === 503)
        return outcome(
          'fail',
          `${url.host} answered but its database is unavailable`,
          values,
          'the server is degraded: tell your IT/helpdesk',
        );
      return outcome('warn', `${url.host} answered HTTP ${status}`, values, 'check the provisioning URL with your IT');
    } catch (e) {
      return outcome(
        'fail',
        `${url.host} cannot be reached from this browser: ${errorText(e)}`,
        { host: url.host },
        'check the network connection, VPN and proxy; the desktop app names the route and interface toward the server',
      );
    }
  },
};
