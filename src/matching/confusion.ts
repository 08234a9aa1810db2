/**
 * Glyphs a plate reader confuses, grouped into classes. Must stay identical to the translate() in
 * migration 020 (vehicles.plate_skeleton); test/matching/confusion.test.ts checks they agree.
 */
export const CONFUSABLE_FROM = 'OQDUIJLTY7SZGABE3';
export const CONFUSABLE_TO = '00001111115264888';

const CLASS = new Map<string, string>([...CONFUSABLE_FROM].map((c, i) => [c, CONFUSABLE_TO[i]!]));

/** Every glyph a plate key can hold. */
const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** The plate key with each glyph replaced by its look-alike class: misreads share a skeleton. */
export function skeleton(key: string): string {
  let out = '';
  for (const c of key) out += CLASS.get(c) ?? c;
  return out;
}

export function confusable(a: string, b: string): boolean {
  return a !== b && (CLASS.get(a) ?? a) === (CLASS.get(b) ?? b);
}

/** Symbols a skeleton can contain. */
export const SKELETON_ALPHABET = [...new Set([...KEY_ALPHABET].map((c) => CLASS.get(c) ?? c))].join('');

/** A look-alike swap costs far less than a wrong glyph: "3OA" for "30A" is the camera, not another car. */
export const CONFUSION_COST = 0.3;
const EDIT_COST = 1;

/**
 * Weighted edit distance between two plate keys: look-alike substitutions cost CONFUSION_COST,
 * any other substitution, insertion or deletion costs 1.
 */
export function plateDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j * EDIT_COST);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i * EDIT_COST];
    for (let j = 1; j <= b.length; j++) {
      const ca = a[i - 1]!;
      const cb = b[j - 1]!;
      const sub = ca === cb ? 0 : confusable(ca, cb) ? CONFUSION_COST : EDIT_COST;
      cur.push(Math.min(prev[j - 1]! + sub, prev[j]! + EDIT_COST, cur[j - 1]! + EDIT_COST));
    }
    prev = cur;
  }
  return Math.round(prev[b.length]! * 1000) / 1000;
}

/**
 * Skeletons within one edit of `sk` (and `sk` itself). Any plate whose weighted distance to the
 * read is at most 1 has one of these skeletons, because look-alike swaps vanish in skeleton space.
 */
export function skeletonNeighbours(sk: string): string[] {
  const out = new Set<string>([sk]);
  for (let i = 0; i <= sk.length; i++) {
    for (const c of SKELETON_ALPHABET) {
      out.add(sk.slice(0, i) + c + sk.slice(i));
      if (i < sk.length) out.add(sk.slice(0, i) + c + sk.slice(i + 1));
    }
    if (i < sk.length) out.add(sk.slice(0, i) + sk.slice(i + 1));
  }
  return [...out];
}
