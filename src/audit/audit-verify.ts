import type { Queryable } from '../db/pool.js';
import { checkpointMac, type AuditCheckpoint } from './audit-checkpoint.js';
import type { AuditKey } from './audit-key.js';
import { GENESIS, linkHash, linkMac, rowHash, rowMac, type AuditRow } from './audit-log.js';

/**
 * What verification found wrong, first problem only:
 * - edited: a row's content no longer matches its hash
 * - missing_before: rows were deleted before this one (its link points to a row that is gone)
 * - chain_broken: a link was altered
 * - forged: a row's seal is missing or wrong (appended or rebuilt without the key)
 * - checkpoint_forged: a checkpoint's seal is wrong, or checkpoints were removed from their own chain
 * - rows_missing: a checkpoint counted more rows up to its head than there are (deleted rows, newest ones, or TRUNCATE)
 * - checkpoint_mismatch: the row a checkpoint sealed has another hash now (chain rebuilt)
 */
export type AuditProblem = 'edited' | 'missing_before' | 'chain_broken' | 'forged' | 'checkpoint_forged' | 'rows_missing'
  | 'checkpoint_mismatch';

export type AuditVerification =
  | { ok: true; rows: number; checkpoints: number; sealedRows: number;
      /** the newest checkpoint whose sealed head the rows matched: a later run may resume after it (null: none) */
      verifiedCheckpoint: number | null }
  | { ok: false; rows: number; checkpoints: number; firstBadId: number | null; checkpointId?: number; problem: AuditProblem };

const BATCH = 1000;

/**
 * Pages through a table in id order (keyset), `size` rows at a time, so verification runs in constant
 * memory however long the log grows.
 */
async function* inIdOrder<T extends { id: number }>(db: Queryable, sql: string, size = BATCH, from = 0): AsyncGenerator<T> {
  let after = from;
  for (;;) {
    const { rows } = await db.query<T>(sql, [after, size]);
    yield* rows;
    if (rows.length < size) return;
    after = rows.at(-1)!.id;
  }
}

interface CheckpointRow { id: number; taken_at: Date; row_count: number; head_id: number; head_hash: string; prev_mac: string; mac: string }

function toCheckpoint(r: CheckpointRow): AuditCheckpoint {
  return { id: r.id, takenAt: r.taken_at, rowCount: r.row_count, headId: r.head_id, headHash: r.head_hash, prevMac: r.prev_mac, mac: r.mac };
}

interface LinkRow { id: number; prev_link: string; link: string; mac: string }

export interface VerifyOptions {
  /**
   * Start after this checkpoint instead of the first row: its seal vouches for the rows up to its head
   * (as a previous full run found them). The checkpoints' own chain is still checked from the first.
   */
  resumeAfterCheckpoint?: number;
  /** told the rows checked so far (the resumed ones included) every `progressEvery` rows: a worker job reports it */
  onProgress?: (rows: number) => Promise<void> | void;
  /** default PROGRESS_ROWS */
  progressEvery?: number;
}

export const PROGRESS_ROWS = 10 * BATCH;

/**
 * Walks the log in id order with its links and the checkpoints alongside. Catches an edited row,
 * deleted rows (anywhere, including the newest ones up to the last checkpoint, and TRUNCATE), a row
 * appended or a chain rebuilt without the key. Rows written before seals existed (mac NULL) are
 * accepted only before the first sealed row. Rows chained at write time (prev_hash set, before
 * migration 110) link through prev_hash; later rows through audit_links, except the newest ones the
 * chainer has not reached yet (sealed, but only covered by the next checkpoint).
 */
export async function verifyAuditLog(db: Queryable, key: AuditKey, options: VerifyOptions = {}): Promise<AuditVerification> {
  const checkpoints = inIdOrder<CheckpointRow>(db,
    'SELECT id, taken_at, row_count, head_id, head_hash, prev_mac, mac FROM audit_checkpoints WHERE id > $1 ORDER BY id LIMIT $2');
  let rows = 0;
  let checkpointCount = 0;
  let prevMac = GENESIS;
  let pending: AuditCheckpoint | null = null;
  const fail = (problem: AuditProblem, firstBadId: number | null, checkpointId?: number): AuditVerification =>
    ({ ok: false, rows, checkpoints: checkpointCount, firstBadId, problem, ...(checkpointId ? { checkpointId } : {}) });

  // the next checkpoint, its seal and its link to the previous one checked
  const nextCheckpoint = async (): Promise<AuditCheckpoint | null | 'forged'> => {
    const next = await checkpoints.next();
    if (next.done) return null;
    const c = toCheckpoint(next.value);
    checkpointCount++;
    if (c.prevMac !== prevMac || checkpointMac(key, c) !== c.mac) return 'forged';
    prevMac = c.mac;
    return c;
  };

  const advance = async (): Promise<AuditVerification | null> => {
    const c = await nextCheckpoint();
    if (c === 'forged') return fail('checkpoint_forged', null, checkpointCount);
    pending = c;
    return null;
  };

  const progressEvery = options.progressEvery ?? PROGRESS_ROWS;
  let failure = await advance();
  if (failure) return failure;

  let prev = GENESIS;
  let prevId = 0;
  let sealing = false;
  let sealedRows = 0;
  let verified: number | null = null;
  if (options.resumeAfterCheckpoint !== undefined) {
    // walk the checkpoints' chain up to the one to resume from, then take its word for what precedes it
    while (pending && (pending as AuditCheckpoint).id < options.resumeAfterCheckpoint) if ((failure = await advance())) return failure;
    const from = pending as AuditCheckpoint | null;
    if (!from || from.id !== options.resumeAfterCheckpoint) throw new Error(`no checkpoint #${options.resumeAfterCheckpoint} to resume from`);
    verified = from.id;
    rows = from.rowCount;
    prev = from.headHash;
    prevId = from.headId;
    // rows after a checkpoint were all written sealed (checkpoints came with the seals, migration 060)
    sealing = true;
    if ((failure = await advance())) return failure;
  }
  // checkpoints of an empty log seal nothing
  while (pending && (pending as AuditCheckpoint).rowCount === 0) {
    verified = (pending as AuditCheckpoint).id;
    if ((failure = await advance())) return failure;
  }

  const links = inIdOrder<LinkRow>(db, 'SELECT id, prev_link, link, mac FROM audit_links WHERE id > $1 ORDER BY id LIMIT $2', BATCH, prevId);
  let link = await links.next();
  // the first row the chainer has not linked yet: every later row must be unlinked too
  let firstUnlinked: number | null = null;

  for await (const row of inIdOrder<AuditRow & { hash: string; mac: string | null }>(db,
    `SELECT id, occurred_at, actor_id, actor, action, entity_type, entity_id, details, prev_hash, hash, mac
     FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2`, BATCH, prevId)) {
    rows++;
    if (options.onProgress && rows % progressEvery === 0) await options.onProgress(rows);
    if (rowHash(row) !== row.hash) return fail('edited', row.id);
    if (row.mac !== null) sealing = true;
    if (sealing) {
      if (row.mac === null || row.mac !== rowMac(key, row.hash)) return fail('forged', row.id);
      sealedRows++;
    }
    // links of deleted rows, and links for rows that claim to be chained at write time, are no part of the chain
    while (!link.done && link.value.id < row.id) link = await links.next();
    const own = !link.done && link.value.id === row.id ? link.value : null;
    if (row.prev_hash !== null) {
      // chained at write time: a gap in ids with a broken link means rows were deleted; otherwise the link was altered
      if (row.prev_hash !== prev) return fail(row.id !== prevId + 1 ? 'missing_before' : 'chain_broken', row.id);
      prev = row.hash;
    } else if (own) {
      if (firstUnlinked !== null) return fail('chain_broken', firstUnlinked);
      if (own.prev_link !== prev) return fail(row.id !== prevId + 1 ? 'missing_before' : 'chain_broken', row.id);
      if (own.link !== linkHash(row.id, prev, row.hash)) return fail('chain_broken', row.id);
      if (own.mac !== linkMac(key, own.link)) return fail('forged', row.id);
      prev = own.link;
    } else {
      firstUnlinked ??= row.id;
    }
    prevId = row.id;
    while (pending) {
      const c: AuditCheckpoint = pending;
      if (row.id < c.headId) break;
      if (row.id > c.headId) return fail('rows_missing', c.headId, c.id);
      if (prev !== c.headHash) return fail('checkpoint_mismatch', row.id, c.id);
      if (rows !== c.rowCount) return fail('rows_missing', row.id, c.id);
      verified = c.id;
      if ((failure = await advance())) return failure;
    }
  }
  // a checkpoint whose head was never reached: the newest rows (or all of them) are gone
  if (pending) return fail('rows_missing', (pending as AuditCheckpoint).headId, (pending as AuditCheckpoint).id);
  return { ok: true, rows, checkpoints: checkpointCount, sealedRows, verifiedCheckpoint: verified };
}
