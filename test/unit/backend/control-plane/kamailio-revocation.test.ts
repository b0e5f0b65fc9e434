/** Revoking an agent in Kamailio through its ctl socket (kamcmd is injected). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dropRegistrations,
  endCalls,
  kamailioRevoker,
  parseDialogs,
  type CommandRunner,
} from '../../../../backend/control-plane/kamailio-revocation.js';

type Answer = { code: number; stdout?: string; stderr?: string };

/** A fake kamcmd: answers by RPC method name, records every call. */
function kamcmd(answers: Record<string, Answer> = {}) {
  const calls: string[][] = [];
  const run: CommandRunner = async (file, args) => {
    calls.push([file, ...args]);
    return { stdout: '', stderr: '', ...(answers[args[2]!] ?? { code: 0 }) };
  };
  return { run, calls };
}

/** `kamcmd dlg.profile_list calls nora` as Kamailio 5.6 prints one answered call (trimmed). */
const ONE_DIALOG = `{
\th_entry: 1127
\th_id: 2443
\tref: 2
\tcall-id: 0c332d417f7ef3082826
\tfrom_uri: sip:nora@127.0.0.1
\tto_uri: sip:otto@127.0.0.1
\tstate: 4
\tcaller: {
\t\ttag: 14814261
\t\tcontact: sip:nora@127.0.0.1:60002;transport=ws
\t\troute_set: 
\t}
\tcallee: {
\t\ttag: 909d3ec6
\t\tcontact: sip:otto@127.0.0.1:60016;transport=ws
\t}
\tprofiles: {
\t\t{
\t\t\tcalls: nora
\t\t}
\t}
\tvariables: {
\t}
}
`;

test('dialogs are read from dlg.profile_list output, tags from the caller and callee blocks', () => {
  const second = ONE_DIALOG.replace('1127', '7').replace('2443', '8').replace('0c332d417f7ef3082826', 'second-call');
  assert.deepEqual(parseDialogs(ONE_DIALOG + second), [
    {
      hEntry: '1127',
      hId: '2443',
      callId: '0c332d417f7ef3082826',
      fromTag: '14814261',
      toTag: '909d3ec6',
      from: 'sip:nora@127.0.0.1',
      to: 'sip:otto@127.0.0.1',
    },
    {
      hEntry: '7',
      hId: '8',
      callId: 'second-call',
      fromTag: '14814261',
      toTag: '909d3ec6',
      from: 'sip:nora@127.0.0.1',
      to: 'sip:otto@127.0.0.1',
    },
  ]);
  assert.deepEqual(parseDialogs(''), []);
});

test('registrations: ul.rm location <user> on the configured socket; an unknown AOR (404) is not an error', async () => {
  const k = kamcmd();
  await dropRegistrations('/state/run/kamailio_ctl', 'alice', k.run);
  assert.deepEqual(k.calls, [['kamcmd', '-s', 'unix:/state/run/kamailio_ctl', 'ul.rm', 'location', 'alice']]);
  await dropRegistrations('/s', 'bob', kamcmd({ 'ul.rm': { code: 0, stdout: 'error: 404 - AOR not found\n' } }).run);
});

test('an RPC error kamcmd exits 0 on, and a socket it cannot reach, are reported with what kamcmd said', async () => {
  await assert.rejects(
    dropRegistrations('/s', 'alice', kamcmd({ 'ul.rm': { code: 0, stdout: 'error: 500 - Domain table not found\n' } }).run),
    /kamcmd ul\.rm location alice failed \(exit 0\): error: 500 - Domain table not found/,
  );
  await assert.rejects(
    dropRegistrations(
      '/s',
      'alice',
      kamcmd({ 'ul.rm': { code: 255, stderr: 'ERROR: connect_unix_sock: connect(/s): Connection refused' } }).run,
    ),
    /kamcmd ul\.rm location alice failed \(exit 255\): ERROR: connect_unix_sock: connect\(\/s\): Connection refused/,
  );
});

/** A fake kamcmd whose dlg.profile_list answers per profile (args: -s SOCKET dlg.profile_list PROFILE USER). */
function kamcmdWithProfiles(profiles: Record<string, string>) {
  const calls: string[][] = [];
  const run: CommandRunner = async (file, args) => {
    calls.push([file, ...args]);
    return { code: 0, stdout: args[2] === 'dlg.profile_list' ? (profiles[args[3]!] ?? '') : '', stderr: '' };
  };
  return { run, calls };
}

test('calls: each dialog of the agent in the "calls" (placed) and "answered" profiles is ended by its handle and returned', async () => {
  const answered = ONE_DIALOG.replace('1127', '31').replace('2443', '32').replace('0c332d417f7ef3082826', 'answered-call');
  const k = kamcmdWithProfiles({ calls: ONE_DIALOG, answered });
  const ended = await endCalls('/s', 'nora', k.run);
  assert.deepEqual(
    ended.map((c) => c.callId),
    ['0c332d417f7ef3082826', 'answered-call'],
  );
  assert.deepEqual(
    k.calls.map((c) => c.slice(3)),
    [
      ['dlg.profile_list', 'calls', 'nora'],
      ['dlg.profile_list', 'answered', 'nora'],
      ['dlg.end_dlg', '1127', '2443'],
      ['dlg.end_dlg', '31', '32'],
    ],
  );
  assert.deepEqual(await endCalls('/s', 'idle', kamcmd().run), [], 'no calls, nothing ended');
});

test('calls: a call in both profiles (the agent called itself) is ended once', async () => {
  const k = kamcmdWithProfiles({ calls: ONE_DIALOG, answered: ONE_DIALOG });
  assert.deepEqual(
    (await endCalls('/s', 'nora', k.run)).map((c) => c.callId),
    ['0c332d417f7ef3082826'],
  );
  assert.equal(k.calls.filter((c) => c[3] === 'dlg.end_dlg').length, 1);
});

test('the revoker drops registrations, then ends calls; without a socket it refuses and names the setting', async () => {
  const k = kamcmd({ 'dlg.profile_list': { code: 0, stdout: ONE_DIALOG } });
  assert.equal((await kamailioRevoker('/s', k.run)('nora')).length, 1);
  assert.deepEqual(
    k.calls.map((c) => c[3]),
    ['ul.rm', 'dlg.profile_list', 'dlg.profile_list', 'dlg.end_dlg'],
  );
  const none = kamcmd();
  await assert.rejects(kamailioRevoker(undefined, none.run)('nora'), /no Kamailio ctl socket configured \(kamailioCtlSocket\)/);
  assert.equal(none.calls.length, 0);
});
