// The Winner grade end to end: the real maxis binary against the Discord simulator, on a moved clock. Maxis's wall
// clock is shifted by libfaketime from a file this test writes (the monotonic clock, which paces timers, is left
// alone), so three days pass without waiting and without any test-only code in Maxis. Winners get the Winner role
// and Pro (through plans' temporary grant); a rejoin during the grade gets the role back; Maxis is stopped, the
// clock moves past the grade, and at start both are gone; after the grade a rejoin gets nothing back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, existsSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Env, waitFor, componentId } from '../discord/harness.mjs';

const FAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1';  // the threads' variant
const STAFF = '1300000000000000001';
const ALICE = '1400000000000000001';
const BOB = '1400000000000000002';
const CAROL = '1400000000000000003';

const rolesOf = async (e, user) => (await e.control('GET', `/_sim/members/${user}`))?.roles ?? [];

async function startGiveaway(e, winners, prize) {
  const started = await e.answered((await e.interact({ type: 2, user: STAFF, name: 'giveaway_start', options: [
    { name: 'duration', type: 3, value: '2h' }, { name: 'winners', type: 4, value: winners },
    { name: 'prize', type: 3, value: prize }] })).id);
  const id = Number(started.response.data.content.match(/#(\d+)/)[1]);
  const post = await waitFor(`the post of giveaway #${id}`, async () =>
    (await e.channelMessages(e.state.channels.staff)).find((m) => m.embeds?.[0]?.title === `🎉 ${prize}`));
  return { id, enter: componentId(post, '🎉 Participer') };
}

async function enter(e, user, custom_id) {
  const answer = await e.answered((await e.interact({ type: 3, user, custom_id })).id);
  assert.match(answer.response.data.content, /enregistrée/);
}

async function end(e, id) {
  const ended = await e.answered((await e.interact({ type: 2, user: STAFF, name: 'giveaway_end', options: [{ name: 'id', type: 4, value: id }] })).id);
  assert.match(ended.response.data.content, /terminé/);
}

async function rejoin(e, user) {
  await e.control('DELETE', `/_sim/members/${user}`);
  await e.member(user);
}

async function restart(e) {
  e.proc.kill('SIGTERM');
  await e.exited;
  await e.launch();
}

test('winners hold the Winner role and Pro for 3 days, across a restart and a rejoin', { timeout: 300000 }, async () => {
  assert.ok(existsSync(FAKETIME), 'libfaketime is needed to move the clock: scripts/install-deps --test');
  const clockDir = mkdtempSync(join(tmpdir(), 'maxis-clock-'));
  const clockFile = join(clockDir, 'offset');
  // Written whole then renamed, and read by libfaketime at every clock read (no cache): once setClock returns, every
  // time Maxis reads is the new one, so nothing it does next (a start, the sweep) sees the old clock.
  const setClock = (offset) => {
    writeFileSync(`${clockFile}.next`, `${offset}\n`);
    renameSync(`${clockFile}.next`, clockFile);
  };
  setClock('+0');
  const e = await Env.start({
    env: { LD_PRELOAD: FAKETIME, FAKETIME_TIMESTAMP_FILE: clockFile, FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_NO_CACHE: '1' },
    toml: (s) => `
[plans]
sweep_schedule = "every 1s"
reconcile_schedule = "every 1h"
[plans.pro]
role_id = "${s.roles.pro}"
[giveaways]
sweep_schedule = "every 1s"
winner_plan = "pro"
winner_days = 3
`,
  });
  try {
    // The "Winner 🏆" role, below the bot's, then Maxis started again with it configured.
    const winnerRole = (await e.control('POST', '/_sim/roles', { name: 'Winner 🏆', position: 4 })).id;
    writeFileSync(join(e.dir, 'maxis.toml'), `${e.config}winner_role_id = "${winnerRole}"\n`);
    await restart(e);
    const pro = e.state.roles.pro;
    await e.member(STAFF, { roles: [e.state.roles.staff] });
    for (const user of [ALICE, BOB, CAROL]) await e.member(user);

    // Giveaway #1: Alice and Bob enter, both win (two winners).
    const first = await startGiveaway(e, 2, 'Nitro');
    await enter(e, ALICE, first.enter);
    await enter(e, BOB, first.enter);
    await end(e, first.id);
    for (const user of [ALICE, BOB]) {
      await waitFor(`the Winner role and Pro for ${user}`, async () => {
        const roles = await rolesOf(e, user);
        return roles.includes(winnerRole) && roles.includes(pro);
      }, 20000);
    }
    assert.equal(e.sql('SELECT COUNT(*) FROM winner_grades WHERE ended_at IS NULL'), '2');
    // Pro through plans' temporary grant, as Maxis, for the giveaway's reason, once each.
    assert.equal(e.sql(`SELECT COUNT(*) FROM user_subscriptions WHERE kind = 'temporary' AND plan = 'pro' AND status = 'active' AND note = 'giveaway #${first.id} winner'`), '2');

    // A rejoin during the grade: the simulator gives no roles back, Maxis does (Winner from the grade, Pro from plans).
    await rejoin(e, BOB);
    await waitFor('the Winner role back after the rejoin', async () => {
      const roles = await rolesOf(e, BOB);
      return roles.includes(winnerRole) && roles.includes(pro);
    }, 20000);

    // Two days later, giveaway #2: Carol alone enters and wins; her grade lasts until day 5.
    setClock('+48h');
    const second = await startGiveaway(e, 1, 'Nitro Basic');
    await enter(e, CAROL, second.enter);
    await end(e, second.id);
    await waitFor('the Winner role for Carol', async () => (await rolesOf(e, CAROL)).includes(winnerRole), 20000);
    assert.equal(e.sql('SELECT COUNT(*) FROM winner_grades WHERE ended_at IS NULL'), '3');

    // Maxis stops; meanwhile the clock passes the first grades' end (day 3, plus an hour); at start the missed jobs
    // run: Alice's and Bob's role and Pro are gone, Carol's grade lasts.
    e.proc.kill('SIGTERM');
    await e.exited;
    setClock('+73h');
    await e.launch();
    for (const user of [ALICE, BOB]) {
      await waitFor(`the Winner role and Pro gone for ${user}`, async () => {
        const roles = await rolesOf(e, user);
        return !roles.includes(winnerRole) && !roles.includes(pro);
      }, 30000);
    }
    assert.equal(e.sql("SELECT COUNT(*) FROM winner_grades WHERE end_reason = 'expired'"), '2');
    assert.equal(e.sql(`SELECT COUNT(*) FROM user_subscriptions WHERE note = 'giveaway #${first.id} winner' AND status = 'ended'`), '2');
    assert.ok((await rolesOf(e, CAROL)).includes(winnerRole));

    // After the grade, a rejoin gets nothing back; Carol's, during hers, does (and tells us Bob's was handled too).
    const joins = () => Number(e.sql(`SELECT COUNT(*) FROM member_events WHERE user_id = ${BOB} AND kind = 'join'`));
    const before = joins();
    await rejoin(e, BOB);
    await waitFor("Bob's rejoin recorded", async () => joins() > before, 20000);
    await rejoin(e, CAROL);
    await waitFor("Carol's Winner role back", async () => (await rolesOf(e, CAROL)).includes(winnerRole), 20000);
    assert.equal(e.sql(`SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'giveaways.grade.rejoin.${BOB}.%'`), '1');
    assert.deepEqual(await rolesOf(e, BOB), []);

    // Carol's grade ends while Maxis runs (day 5, plus an hour).
    setClock('+121h');
    await waitFor("Carol's Winner role and Pro gone", async () => {
      const roles = await rolesOf(e, CAROL);
      return !roles.includes(winnerRole) && !roles.includes(pro);
    }, 30000);
    assert.equal(e.sql('SELECT COUNT(*) FROM winner_grades WHERE ended_at IS NULL'), '0');
    assert.deepEqual(await e.validationErrors(), []);
  } finally {
    await e.stop();
    rmSync(clockDir, { recursive: true, force: true });
  }
});
