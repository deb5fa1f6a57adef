// An independent implementation of the giveaway draw (docs/giveaway-draw.md, maxis-draw-v1), written from the
// document with node:crypto only: it shares no code with Maxis, so that a test can recompute what Maxis drew.
import { createHash, createHmac } from 'node:crypto';

const TWO64 = 1n << 64n;

export function uniformIndex(seed, round, i, m) {
  const limit = TWO64 - (TWO64 % m);
  for (let c = 0; ; c++) {
    const mac = createHmac('sha256', seed).update(`draw:${round}:${i}:${c}`).digest();
    const x = mac.readBigUInt64BE(0);
    if (x < limit) return x % m;
  }
}

export function drawRound(seedHex, sortedIds, round, count, earlier) {
  const seed = Buffer.from(seedHex, 'hex');
  const out = new Set(earlier);
  const pool = sortedIds.filter((id) => !out.has(id));
  const k = Math.min(pool.length, count);
  for (let i = 0; i < k; i++) {
    const j = i + Number(uniformIndex(seed, round, i, BigInt(pool.length - i)));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, k);
}

// Recomputes a published proof: returns the problems found (none when it matches).
export function verifyProof(proof) {
  const problems = [];
  const hash = createHash('sha256').update(Buffer.from(proof.seed, 'hex')).digest('hex');
  if (hash !== proof.seed_hash) problems.push('seed_hash');
  const sorted = [...proof.entries].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  if (sorted.join(',') !== proof.entries.join(',')) problems.push('entries not sorted');
  const earlier = [];
  proof.rounds.forEach((r, n) => {
    // A round's pool leaves out earlier winners and those no longer eligible at that round.
    const out = [...earlier, ...(r.excluded ?? []).map((e) => e.user)];
    const drawn = drawRound(proof.seed, sorted, n, r.count, out);
    if (drawn.join(',') !== r.winners.join(',')) problems.push(`round ${n}`);
    earlier.push(...r.winners);
  });
  return problems;
}
