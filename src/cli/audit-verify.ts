import { parseArgs } from 'node:util';
import { loadAuditKey } from '../audit/audit-key.js';
import { verifyAuditLog, type AuditProblem } from '../audit/audit-verify.js';
import { loadConfig } from '../config.js';
import { createPool } from '../db/pool.js';
import { runCli } from './run-cli.js';

const WHAT: Record<AuditProblem, string> = {
  edited: 'was edited',
  missing_before: 'follows deleted rows',
  chain_broken: 'has a broken link',
  forged: 'has a missing or wrong seal (appended or rebuilt without the key)',
  checkpoint_forged: 'is not covered by a valid checkpoint chain',
  rows_missing: 'is missing, or rows up to it are (deleted or truncated)',
  checkpoint_mismatch: 'differs from what a checkpoint sealed (chain rebuilt)',
};

// `--after-checkpoint N` resumes from checkpoint #N, the one a previous full run printed last: the
// rows up to it are vouched for by its seal, only the checkpoints' chain and the rows after it are read.
runCli(async () => {
  const { values } = parseArgs({ options: { 'after-checkpoint': { type: 'string' } } });
  const after = values['after-checkpoint'];
  if (after !== undefined && !/^[1-9][0-9]*$/.test(after)) throw new Error(`--after-checkpoint ${after} is not a checkpoint number`);
  const config = loadConfig();
  const pool = createPool(config.DATABASE_URL, 1);
  try {
    const result = await verifyAuditLog(pool, loadAuditKey(config), after ? { resumeAfterCheckpoint: Number(after) } : {});
    const last = await pool.query<{ id: number; taken_at: Date; row_count: number; mac: string }>(
      'SELECT id, taken_at, row_count, mac FROM audit_checkpoints ORDER BY id DESC LIMIT 1');
    const c = last.rows[0];
    // the inspector writes this line down: a later run must still show this checkpoint (see docs/admin-and-review.md)
    if (c) console.log(`latest checkpoint: #${c.id} ${c.taken_at.toISOString()} rows=${c.row_count} mac=${c.mac}`);
    if (result.ok) {
      console.log(`audit log intact: ${result.rows} rows (${result.sealedRows} sealed), ${result.checkpoints} checkpoints`);
      return;
    }
    const where = result.checkpointId ? ` (checkpoint #${result.checkpointId})` : '';
    console.error(`audit log TAMPERED: row ${result.firstBadId ?? '-'} ${WHAT[result.problem]}${where} (${result.rows} rows checked)`);
    process.exitCode = 2;
  } finally {
    await pool.end();
  }
});
