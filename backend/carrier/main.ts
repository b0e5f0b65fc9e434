/**
 * CLI of the simulated carrier. Prints one `carrier ready ...` line on stdout once the SIP and
 * API sockets listen; logs go to stderr. SIGTERM/SIGINT hang up every call, then exit (< 2 s).
 */
import { startApi, type ApiServer } from './api.js';
import { CliError, parseCarrierArgs, USAGE } from './cli-options.js';
import { startCarrier } from './carrier.js';

/** Hard stop if shutdown signalling hangs: the supervisor expects an exit within 2 s. */
const EXIT_DEADLINE_MS = 1800;

async function main(): Promise<void> {
  let opts;
  try {
    opts = parseCarrierArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    process.stderr.write(`carrier: ${err.message}\n${USAGE}\n`);
    process.exit(1);
  }
  const carrier = await startCarrier({ ...opts, sipTrace: process.env.CARRIER_SIP_TRACE === '1' });
  let api: ApiServer;
  try {
    api = await startApi({
      address: opts.listen,
      port: opts.apiPort,
      calls: carrier.calls,
      placeCall: (r) => carrier.placeCall(r),
      targetUri: (t) => carrier.targetUri(t),
    });
  } catch (err) {
    await carrier.stop();
    throw err;
  }
  process.stdout.write(`carrier ready sip=udp:${opts.listen}:${opts.sipPort} api=http://${opts.listen}:${opts.apiPort}\n`);
  const shutdown = () => {
    setTimeout(() => process.exit(0), EXIT_DEADLINE_MS).unref();
    // Calls are hung up first: the API answers until signalling had its chance.
    carrier
      .stop()
      .then(() => api.close())
      .then(
        () => process.exit(0),
        () => process.exit(0),
      );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: Error) => {
  process.stderr.write(`carrier: ${err.message}\n`);
  process.exit(1);
});
