import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { appendAudit } from '../audit/audit-log.js';
import type { Pool, PoolClient } from '../db/pool.js';
import { csvRecords, CsvSyntaxError } from './csv-records.js';
import { checkRegistryRow, REQUIRED_COLUMNS } from './row-check.js';
import { mergeOwnersAndVehicles, mergePeriods, rejectContradictions } from './staged-merge.js';
import { REGISTRY_TABLES, registryIsEmpty, restoreRegistryIndexes, setAsideRegistryIndexes } from './initial-load.js';
import { createStage, dropStage, openStageCopy, STAGE, stagedLines, type StagedRow } from './staging.js';
import type { OwnershipOutcome } from './store.js';

export { REGISTRY_COLUMNS } from './row-check.js';

/** The file itself is unusable (missing columns, not CSV): nothing was imported. */
export class RegistryImportError extends Error {
  override readonly name = 'RegistryImportError';
}

export interface RejectedRow {
  /** line of the file the row ends on (the header is line 1) */
  line: number;
  plate: string;
  /** in Vietnamese, naming the column at fault */
  reason: string;
}

export interface ImportProgress {
  /** 'reading': rows read and staged so far; 'merged': the import has committed */
  phase: 'reading' | 'merged';
  rows: number;
  accepted: number;
  rejected: number;
  elapsedMs: number;
}

export interface ImportReport extends Omit<ImportProgress, 'phase'> {
  importId: string;
  rejectedRows: RejectedRow[];
  ownerships: Record<OwnershipOutcome, number>;
  /** the registry was empty: its indexes and foreign keys were built after the load (initial-load.ts) */
  initialLoad: boolean;
}

export interface ImportOptions {
  /** rows handed to the staging COPY at a time, and between two progress reports */
  batchSize?: number;
  onProgress?: (p: ImportProgress) => void;
  /** recorded in the audit log */
  actor?: string;
  /** name of the source file, for the audit log */
  sourceName?: string;
  now?: Date;
  /**
   * How an empty registry is loaded. By default, a file of INITIAL_LOAD_MIN_ROWS rows or more gets the
   * registry's indexes and foreign keys built after the load, holding up readers too until the import
   * commits (initial-load.ts); true: whatever the size; false: never (row by row into the indexes,
   * holding up writers only, like any other import).
   */
  initialLoad?: boolean;
}

/** Two imports merging at once would each judge the other's rows as "no recorded history". */
const IMPORT_LOCK = 7462014;

/** Imports that change fewer ownership periods than this leave the statistics to autovacuum. */
const ANALYZE_AFTER_CHANGES = 10_000;

/**
 * Smaller files load an empty registry row by row. Rebuilding an index records the table's size in the
 * catalog, and the planner scales that density with the table's growth: after an initial load of a
 * handful of rows, the next import of some thousand rows was planned as if the registry held tens of rows
 * (nested loops: 15 s instead of 3.5 s for 12,000 rows). A large initial load is analysed right after.
 */
export const INITIAL_LOAD_MIN_ROWS = 10_000;

/**
 * Imports a registry CSV export in three steps:
 * 1. the file is streamed row by row: each row is checked on its own (plate format, personal ID /
 *    tax code, dates) and sent, good or bad, to a staging table through one COPY; memory holds one batch;
 * 2. set-based, in one transaction: contradictions inside the file (one ID two names, one plate two
 *    types, two periods from the same moment), then owners and vehicles merged, then ownership periods
 *    (see mergePeriods), with one audit entry; into an empty registry, the registry's indexes and
 *    foreign keys are built after the rows are in (see initial-load.ts);
 * 3. the rejects (line, plate, Vietnamese reason) are read back from the staging table.
 * Nothing is written to the registry unless the whole import commits. Importing the same file again
 * changes nothing. Rows of one vehicle are expected in chronological order.
 */
export async function importRegistryCsv(pool: Pool, input: Readable, opts: ImportOptions = {}): Promise<ImportReport> {
  const started = Date.now();
  const now = opts.now ?? new Date();
  const batchSize = opts.batchSize ?? 5000;
  const importId = randomUUID();
  const client = await pool.connect();
  const absorb = () => undefined;
  client.on('error', absorb);
  let broken = false;
  try {
    await createStage(client);
    const rows = await stageFile(client, input, now, batchSize, (p) => opts.onProgress?.({ ...p, elapsedMs: Date.now() - started }));

    await client.query('BEGIN');
    let merged;
    let initialLoad = false;
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [IMPORT_LOCK]);
      // no other writer of periods until the import commits (readers go on): the overlap check then
      // needs no row lock on each vehicle it touches (migration 201)
      await client.query('LOCK TABLE vehicle_ownerships IN SHARE ROW EXCLUSIVE MODE');
      // nor of owners and vehicles: new keys are inserted without ON CONFLICT (see mergeOwnersAndVehicles);
      // the foreign-key checks of other writers (violations, periods) only need ROW SHARE and go on
      await client.query('LOCK TABLE owners, vehicles IN SHARE ROW EXCLUSIVE MODE');
      // into an empty registry (no other writer can add to it now): indexes and foreign keys are built
      // after the load, under a lock that holds readers up until the import commits (initial-load.ts)
      initialLoad = (opts.initialLoad ?? rows >= INITIAL_LOAD_MIN_ROWS) && await registryIsEmpty(client);
      await client.query(`SET LOCAL work_mem = '256MB'`);
      // a small sample is enough for the plans of the merge (the default one costs ~3 µs a row at 100,000 rows)
      await client.query(`SET LOCAL default_statistics_target = 10`);
      await client.query(`ANALYZE ${STAGE}`);
      await client.query('SET LOCAL default_statistics_target TO DEFAULT');
      await rejectContradictions(client);
      if (initialLoad) await client.query(`LOCK TABLE ${REGISTRY_TABLES.join(', ')} IN ACCESS EXCLUSIVE MODE`);
      const setAside = initialLoad ? await setAsideRegistryIndexes(client) : null;
      await mergeOwnersAndVehicles(client);
      merged = await mergePeriods(client, { beforeOneByOne: setAside ? () => restoreRegistryIndexes(client, setAside) : undefined });
      const rejected = rows - merged.accepted;
      await appendAudit(client, {
        actorId: null, actor: opts.actor ?? 'registry-import', action: 'registry.imported', entityType: 'registry_import',
        entityId: importId,
        details: { source: opts.sourceName ?? null, rows, accepted: merged.accepted, rejected, ownerships: merged.ownerships, initialLoad },
      });
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => { broken = true; });
      throw err;
    }
    const { created, updated, closed_previous: closed } = merged.ownerships;
    if (initialLoad || created + updated + closed >= ANALYZE_AFTER_CHANGES) {
      // autovacuum analyses a table only a while after it changed: until then the matcher plans its lookups
      // on statistics of the registry as it was (after a first import of 10M rows, of an empty one)
      await client.query('ANALYZE owners, vehicles, vehicle_ownerships');
    }

    const rejects = await client.query<RejectedRow>(
      `SELECT line, plate_text AS plate, reason FROM ${STAGE} WHERE reason IS NOT NULL ORDER BY line`,
    );
    const report: ImportReport = {
      importId, rows, accepted: merged.accepted, rejected: rejects.rows.length, elapsedMs: Date.now() - started,
      rejectedRows: rejects.rows, ownerships: merged.ownerships, initialLoad,
    };
    opts.onProgress?.({ phase: 'merged', rows, accepted: report.accepted, rejected: report.rejected, elapsedMs: report.elapsedMs });
    return report;
  } catch (err) {
    broken = true;
    throw err;
  } finally {
    // a failed session may be mid-COPY or mid-transaction: do not hand it back to the pool
    if (!broken) await dropStage(client).catch(() => { broken = true; });
    client.removeListener('error', absorb);
    client.release(broken ? true : undefined);
  }
}

/**
 * Streams the CSV into the staging table through one COPY; returns the number of data rows. The
 * file is read only as fast as the server takes the rows (backpressure through the pipeline), so
 * memory holds one batch whatever the size of the file.
 */
async function stageFile(
  client: PoolClient, input: Readable, now: Date, batchSize: number,
  progress: (p: Omit<ImportProgress, 'elapsedMs'>) => void,
): Promise<number> {
  let rows = 0;
  let rejected = 0;
  async function* lines() {
    let names: string[] | undefined;
    let batch: StagedRow[] = [];
    for await (const records of csvRecords(input)) {
      for (const { fields, line } of records) {
        if (!names) {
          names = header(fields);
          continue;
        }
        rows++;
        const record: Record<string, string> = {};
        for (let i = 0; i < names.length && i < fields.length; i++) record[names[i]!] = fields[i]!;
        const checked = checkRegistryRow(record, now);
        const plateText = record.plate ?? '';
        if ('problem' in checked) {
          rejected++;
          batch.push({ line, plateText, problem: checked.problem });
        } else {
          batch.push({ line, plateText, row: checked });
        }
        if (batch.length >= batchSize) {
          yield stagedLines(batch);
          batch = [];
          // the batch was taken by the COPY stream (the pipeline asks for the next only then)
          progress({ phase: 'reading', rows, accepted: rows - rejected, rejected });
        }
      }
    }
    if (!names) throw new RegistryImportError(`tệp thiếu cột bắt buộc: ${REQUIRED_COLUMNS.join(', ')}`);
    if (batch.length > 0) {
      yield stagedLines(batch);
      progress({ phase: 'reading', rows, accepted: rows - rejected, rejected });
    }
  }
  try {
    // a generator as the source: the pipeline destroys the COPY stream (the server drops the rows) on any error
    await pipeline(Readable.from(lines(), { objectMode: false, highWaterMark: 1 }), openStageCopy(client));
  } catch (err) {
    if (err instanceof RegistryImportError) throw err;
    if (err instanceof CsvSyntaxError) throw new RegistryImportError(`tệp không phải CSV hợp lệ: ${err.message} (chưa ghi gì vào sổ đăng ký)`);
    throw err;
  }
  return rows;
}

/** Column names of the header line; refuses a file without the columns every row needs. */
function header(fields: string[]): string[] {
  const names = fields.map((h) => h.trim().toLowerCase());
  const missing = REQUIRED_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) throw new RegistryImportError(`tệp thiếu cột bắt buộc: ${missing.join(', ')}`);
  return names;
}
