import type { PoolClient } from '../db/pool.js';

/**
 * The first import into an empty registry, loaded the way bulk loads are: the secondary indexes and
 * foreign keys of owners, vehicles and vehicle_ownerships are dropped inside the import's transaction,
 * the rows are inserted bare, and each index is then built in one sorted pass and each foreign key
 * checked with one join, before the transaction commits. Row by row, at 1M rows, the fuzzy GIN index
 * (about nine deletion keys a plate) was most of inserting a vehicle and the two foreign-key checks
 * about two thirds of inserting a period.
 *
 * Dropping an index or a constraint takes ACCESS EXCLUSIVE on its table until the import commits, so
 * every reader of the registry (plate matching included) waits for it; that is why this path is kept to
 * an empty registry, where a reader has nothing to find yet. The pipeline's evaluate stage does not wait:
 * it finds the registry locked at once (registryReadableNow) and puts its job back for later without
 * using up an attempt. Other readers (the API) wait at most their statement timeout. Primary keys stay (other tables'
 * foreign keys rest on them, and ids are appended in order, cheaply); so do checks, generated columns
 * and the overlap trigger, which is one statement-level query either way.
 */
export const REGISTRY_TABLES = ['owners', 'vehicles', 'vehicle_ownerships'] as const;

export interface SetAside {
  /** `ALTER TABLE ... ADD CONSTRAINT ...` and `CREATE INDEX ...` statements, in the order they are restored */
  restore: string[];
}

/** The registry is being loaded (or altered by a migration): a reader would wait until that commits. */
export class RegistryBusyError extends Error {
  override readonly name = 'RegistryBusyError';
}

/**
 * Takes the read locks of the registry tables for the rest of the transaction, or throws
 * RegistryBusyError at once when an initial load (or a migration) holds them: a caller that would
 * otherwise wait minutes, holding its own transaction open, can come back later instead.
 */
export async function registryReadableNow(tx: PoolClient): Promise<void> {
  try {
    await tx.query(`LOCK TABLE ${REGISTRY_TABLES.join(', ')} IN ACCESS SHARE MODE NOWAIT`);
  } catch (err) {
    // 55P03 lock_not_available
    if ((err as { code?: string }).code === '55P03') throw new RegistryBusyError('sổ đăng ký xe đang được nạp lần đầu; thử lại sau');
    throw err;
  }
}

/** True when no owner, vehicle or ownership period is recorded (an initial load). */
export async function registryIsEmpty(tx: PoolClient): Promise<boolean> {
  const { rows } = await tx.query<{ empty: boolean }>(
    `SELECT NOT EXISTS (SELECT 1 FROM owners) AND NOT EXISTS (SELECT 1 FROM vehicles)
            AND NOT EXISTS (SELECT 1 FROM vehicle_ownerships) AS empty`,
  );
  return rows[0]!.empty;
}

/**
 * Drops the registry tables' unique constraints, foreign keys and other indexes except primary keys,
 * read from the catalog (so an index a later migration adds is set aside too), and returns what
 * rebuilds them. The caller must hold ACCESS EXCLUSIVE on the three tables. A unique constraint some
 * foreign key rests on stays.
 */
export async function setAsideRegistryIndexes(tx: PoolClient): Promise<SetAside> {
  const tables = `ARRAY[${REGISTRY_TABLES.map((t) => `'${t}'::regclass`).join(', ')}]`;
  const { rows: constraints } = await tx.query<{ tbl: string; name: string; contype: string; def: string }>(
    `SELECT c.conrelid::regclass::text AS tbl, quote_ident(c.conname) AS name, c.contype, pg_get_constraintdef(c.oid) AS def
     FROM pg_constraint c
     WHERE c.conrelid = ANY(${tables}) AND (c.contype = 'f' OR (c.contype IN ('u', 'x')
       AND NOT EXISTS (SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' AND r.conindid = c.conindid AND r.oid <> c.oid)))
     ORDER BY c.contype = 'f' DESC, c.conname`,
  );
  const { rows: indexes } = await tx.query<{ name: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
     FROM pg_index i
     WHERE i.indrelid = ANY(${tables}) AND NOT i.indisprimary
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
     ORDER BY 1`,
  );
  // foreign keys first (they hold no index of their own), then what they could rest on
  for (const c of constraints) await tx.query(`ALTER TABLE ${c.tbl} DROP CONSTRAINT ${c.name}`);
  for (const i of indexes) await tx.query(`DROP INDEX ${i.name}`);
  const foreignKeys = constraints.filter((c) => c.contype === 'f');
  const unique = constraints.filter((c) => c.contype !== 'f');
  return {
    restore: [
      ...unique.map((c) => `ALTER TABLE ${c.tbl} ADD CONSTRAINT ${c.name} ${c.def}`),
      ...indexes.map((i) => i.def),
      // validated by one join of the two tables each, not a trigger a row
      ...foreignKeys.map((c) => `ALTER TABLE ${c.tbl} ADD CONSTRAINT ${c.name} ${c.def}`),
    ],
  };
}

/** Builds what setAsideRegistryIndexes dropped; a duplicate key or a dangling reference fails the import. */
export async function restoreRegistryIndexes(tx: PoolClient, setAside: SetAside): Promise<void> {
  // each build sorts in memory rather than in temporary files; the GIN index gathers its keys there
  await tx.query(`SET LOCAL maintenance_work_mem = '1GB'`);
  for (const statement of setAside.restore) await tx.query(statement);
  await tx.query('SET LOCAL maintenance_work_mem TO DEFAULT');
}
