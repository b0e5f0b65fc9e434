/** Dropping an agent's registrations through Kamailio's ctl socket (kamcmd is injected). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropRegistrations, registrationDropper, type CommandRunner } from '../../../backend/control-plane/registrations.js';

function runner(answer: { code: number; stdout?: string; stderr?: string }) {
  const calls: Array<[string, readonly string[]]> = [];
  const run: CommandRunner = async (file, args) => {
    calls.push([file, args]);
    return { stdout: '', stderr: '', ...answer };
  };
  return { run, calls };
}

test('kamcmd ul.rm location <user> on the configured socket; "not found" (no registration) is not an error', async () => {
  const ok = runner({ code: 0 });
  await dropRegistrations('/state/run/kamailio_ctl', 'alice', ok.run);
  assert.deepEqual(ok.calls, [['kamcmd', ['-s', 'unix:/state/run/kamailio_ctl', 'ul.rm', 'location', 'alice']]]);
  await dropRegistrations('/s', 'bob', runner({ code: 0, stdout: 'error: 404 - AOR not found\n' }).run);
});

test('any other failure is reported with the exit code and what kamcmd said, also an RPC error kamcmd exits 0 on', async () => {
  await assert.rejects(
    dropRegistrations('/s', 'alice', runner({ code: 0, stdout: 'error: 500 - Domain table not found\n' }).run),
    /kamcmd ul\.rm location alice failed \(exit 0\): error: 500 - Domain table not found/,
  );
  await assert.rejects(
    dropRegistrations('/s', 'alice', runner({ code: 255, stderr: 'ERROR: connect_unix_sock: connect(/s): Connection refused' }).run),
    /kamcmd ul\.rm location alice failed \(exit 255\): ERROR: connect_unix_sock: connect\(\/s\): Connection refused/,
  );
});

test('without a configured socket the dropper refuses and says which setting is missing', async () => {
  const { run, calls } = runner({ code: 0 });
  await assert.rejects(registrationDropper(undefined, run)('alice'), /no Kamailio ctl socket configured \(kamailioCtlSocket\)/);
  assert.equal(calls.length, 0);
  await registrationDropper('/s', run)('alice');
  assert.equal(calls.length, 1);
});
