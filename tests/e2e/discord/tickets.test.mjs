// Tickets from Discord, end to end: the real maxis binary against the Discord simulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Env, waitFor, componentId, sleep } from './harness.mjs';

const ALICE = '1400000000000000001';
const BOB = '1400000000000000002';
const STAFF = '1400000000000000009';

test('prefix commands: open, view, staff answers, the member is notified by DM', async () => {
  const e = await Env.start();
  try {
    await e.member(ALICE);
    await e.member(STAFF, { roles: [e.state.roles.staff] });
    await e.say(ALICE, '!ticket_create "Paiement bloqué" billing high Ma carte est refusée');
    const [created] = await waitFor('the creation reply', async () => { const d = await e.dms(ALICE); return d.length ? d : null; });
    assert.match(created.content, /Ticket #1/);
    assert.deepEqual(created.components[0].components.map((c) => c.label), ['Voir', 'Répondre', 'Fermer']);
    // The staff channel hears about it through the outbox.
    await waitFor('the staff notice', async () => (await e.channelMessages(e.state.channels.staff)).find((m) => m.content.includes('#1')));
    // Staff answers by prefix command in a public channel; their own reply comes by DM (it is private).
    await e.say(STAFF, '!ticket_reply 1 Bonjour, nous regardons.');
    await waitFor('the staff confirmation', async () => (await e.dms(STAFF)).length === 1);
    const notice = await waitFor('the member notice', async () => (await e.dms(ALICE)).find((m) => m.content.includes('💬')));
    assert.match(notice.content, /#1/);
    // Another member cannot see the ticket.
    await e.member(BOB);
    await e.say(BOB, '!ticket_view 1');
    const [refusal] = await waitFor('the refusal', async () => { const d = await e.dms(BOB); return d.length ? d : null; });
    assert.match(refusal.content, /introuvable|not found/i);
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});

test('slash commands are registered from the declarations and answer ephemerally', async () => {
  const e = await Env.start();
  try {
    const commands = await e.control('GET', '/_sim/commands');
    const create = commands.find((c) => c.name === 'ticket_create');
    assert.ok(create, 'ticket_create registered');
    assert.deepEqual(create.options.map((o) => o.name), ['subject', 'category', 'priority', 'description']);
    assert.equal(create.name_localizations?.fr ?? 'ticket_create', 'ticket_create');
    await e.member(ALICE);
    const { id } = await e.interact({ type: 2, user: ALICE, name: 'ticket_create', options: [
      { name: 'subject', type: 3, value: 'Accès refusé' }, { name: 'category', type: 3, value: 'technical' },
      { name: 'priority', type: 3, value: 'medium' }, { name: 'description', type: 3, value: 'Le salon VIP est invisible' }] });
    const answer = await e.answered(id);
    assert.equal(answer.response_type, 4);
    assert.ok(answer.ephemeral);
    assert.match(answer.response.data.content, /#1/);
    // /ticket_list offers a menu; choosing the ticket opens it.
    const list = await e.answered((await e.interact({ type: 2, user: ALICE, name: 'ticket_list', locale: 'en-US' })).id);
    assert.equal(list.response.data.embeds[0].title, 'Tickets (1)');
    const menu = list.response.data.components[0].components[0];
    assert.equal(menu.type, 3);
    const view = await e.answered((await e.interact({ type: 3, user: ALICE, custom_id: menu.custom_id, values: ['1'] })).id);
    assert.match(view.response.data.embeds[0].title, /#1 · Accès refusé/);
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});

test('buttons: reply through a modal, close, and a forged button does nothing', async () => {
  const e = await Env.start();
  try {
    await e.member(ALICE);
    const created = await e.answered((await e.interact({ type: 2, user: ALICE, name: 'ticket_create', options: [
      { name: 'subject', type: 3, value: 'Question' }, { name: 'category', type: 3, value: 'general' },
      { name: 'priority', type: 3, value: 'low' }, { name: 'description', type: 3, value: 'Bonjour' }] })).id);
    const message = created.response.data;
    // "Répondre" asks for the text in a modal first.
    const modal = await e.answered((await e.interact({ type: 3, user: ALICE, custom_id: componentId(message, 'Répondre') })).id);
    assert.equal(modal.response_type, 9);
    const submitted = await e.answered((await e.interact({ type: 5, user: ALICE, custom_id: modal.response.data.custom_id, fields: { value: 'Plus de détails ici' } })).id);
    assert.equal(submitted.response_type, 4);
    assert.equal(e.sql("SELECT COUNT(*) FROM ticket_messages WHERE body = 'Plus de détails ici'"), '1');
    // A tampered custom_id (another ticket) opens nothing and changes nothing.
    const close = componentId(message, 'Fermer');
    const [head, , tag] = close.split('.');
    const forged = `${head}.${Buffer.from('ticket_close 2').toString('base64url')}.${tag}`;
    const refused = await e.answered((await e.interact({ type: 3, user: ALICE, custom_id: forged })).id);
    assert.match(refused.response.data.content, /plus valide|no longer valid/);
    // The real button closes the ticket.
    await e.answered((await e.interact({ type: 3, user: ALICE, custom_id: close })).id);
    assert.equal(e.sql('SELECT status FROM tickets WHERE id = 1'), 'closed');
    // Someone else's click on the same button is refused by the ticket rules.
    await e.member(BOB);
    const other = await e.answered((await e.interact({ type: 3, user: BOB, custom_id: componentId(message, 'Voir') })).id);
    assert.match(other.response.data.content, /introuvable|not found/i);
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});

test('a slow handler is deferred and edited, never left to fail', async (t) => {
  const e = await Env.start({ toml: 'defer_after_ms = 300' });
  try {
    await e.member(ALICE);
    // Hold the database so that the command waits on it for about a second.
    const { spawn } = await import('node:child_process');
    const lock = spawn('sqlite3', [e.db], { stdio: ['pipe', 'ignore', 'ignore'] });
    t.after(() => lock.kill());
    // Wait for the lock rather than fail when Maxis is writing at that moment (it mirrors the guild's invites at
    // start): a failed BEGIN would leave the database free and the command answered at once.
    lock.stdin.write('.timeout 5000\nBEGIN EXCLUSIVE;\nINSERT INTO app_state (key, value) VALUES (\'lock\', \'x\');\n');
    await sleep(200);
    const { id } = await e.interact({ type: 2, user: ALICE, name: 'ticket_create', options: [
      { name: 'subject', type: 3, value: 'Lent' }, { name: 'category', type: 3, value: 'general' },
      { name: 'priority', type: 3, value: 'low' }, { name: 'description', type: 3, value: 'x' }] });
    const deferred = await waitFor('the deferral', async () => { const v = await e.interaction(id); return v.acknowledged ? v : null; });
    assert.equal(deferred.response_type, 5, 'deferred with type 5');
    assert.ok(deferred.latency_ms < 3000, `acknowledged within Discord's 3 seconds (${deferred.latency_ms} ms)`);
    await sleep(1000);
    lock.stdin.end('ROLLBACK;\n');
    const done = await e.answered(id, 10000);
    assert.match(done.original.content, /#1/);
    assert.equal(done.edits, 1);
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});

test('a long ticket is shown over the original answer and follow-ups, within every limit', async () => {
  const e = await Env.start();
  try {
    await e.member(ALICE);
    await e.answered((await e.interact({ type: 2, user: ALICE, name: 'ticket_create', options: [
      { name: 'subject', type: 3, value: 'Long' }, { name: 'category', type: 3, value: 'general' },
      { name: 'priority', type: 3, value: 'low' }, { name: 'description', type: 3, value: 'début' }] })).id);
    for (let i = 0; i < 9; i++) {
      await e.answered((await e.interact({ type: 2, user: ALICE, name: 'ticket_reply', options: [
        { name: 'id', type: 4, value: 1 }, { name: 'message', type: 3, value: `${i} ${'é'.repeat(990)}` }] })).id);
    }
    const view = await e.answered((await e.interact({ type: 2, user: ALICE, name: 'ticket_view', options: [{ name: 'id', type: 4, value: 1 }] })).id);
    await waitFor('the follow-ups', async () => (await e.interaction(view.id)).followups.length >= 1);
    const all = [view.response.data, ...(await e.interaction(view.id)).followups];
    const fields = all.flatMap((m) => (m.embeds ?? []).flatMap((x) => x.fields ?? []));
    for (let i = 0; i < 9; i++) assert.ok(fields.some((f) => f.value.startsWith(`${i} é`)), `reply ${i} shown`);
    assert.ok(all.at(-1).components?.length, 'the buttons come with the last message');
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});
