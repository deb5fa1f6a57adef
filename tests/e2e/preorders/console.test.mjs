// Pre-orders from the console, end to end: the real maxis binary (`maxis console`) with the Stripe simulator. Staff
// define and open an item in chat commands; a member lists it (the countdown in words), buys a seat (the Stripe link)
// and sees it among their pre-orders; the same rules as every other door.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startShop } from '../shop/harness.mjs';

test('from the console: staff define and open an item, a member lists it, buys a seat and sees it', async () => {
  const e = await startShop({ toml: '[preorders]\nsweep_schedule = "every 1s"\n' });
  try {
    const next = new Date().getFullYear() + 1;
    let r = await e.console('boss', [`!preorder_create "Artbook" 40 01/06/${next} 18:00 "Le livre"`], { role: 'admin', locale: 'fr' });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Artbook/);
    const id = e.sql("SELECT id FROM preorder_items WHERE name = 'Artbook'");
    r = await e.console('boss', [`!preorder_open ${id}`], { role: 'admin', locale: 'fr' });
    assert.equal(e.sql(`SELECT status FROM preorder_items WHERE id = ${id}`), 'open', r.out);

    r = await e.console('alice', ['!preorder'], { locale: 'fr' });
    assert.match(r.out, /Early Bird/);
    assert.match(r.out, /28,00/);
    assert.match(r.out, new RegExp(`01/06/${next} 18:00`), 'the release in the community\'s time, in words');
    assert.doesNotMatch(r.out, /<t:\d+/, 'no Discord syntax on the console');

    r = await e.console('alice', [`!preorder_buy ${id}`], { locale: 'fr' });
    assert.match(r.out, /https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/, r.out);
    assert.equal(e.sql(`SELECT t.name || '|' || p.price_minor || '|' || p.status FROM preorder_purchases p JOIN preorder_tiers t ON t.id = p.tier_id`), 'Early Bird|2800|held');
    // Over the limit (one per member by default): refused, nothing held.
    r = await e.console('alice', [`!preorder_buy ${id}`], { locale: 'fr' });
    assert.match(r.out, /limite de 1 pré-commande/);
    assert.equal(e.sql('SELECT COUNT(*) FROM preorder_purchases'), '1', r.out);
    r = await e.console('alice', ['!preorders_mine'], { locale: 'fr' });
    assert.match(r.out, /Artbook/);
  } finally {
    await e.stop();
  }
});
