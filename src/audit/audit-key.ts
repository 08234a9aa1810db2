import { createHmac, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../config.js';

/**
 * The secret that seals audit rows and checkpoints. It is kept outside the database (environment or a
 * key file on the application hosts), so a database administrator who edits, deletes or appends rows
 * cannot produce seals that verify. Who holds it: docs/admin-and-review.md.
 */
export type AuditKey = Buffer;

let installed: AuditKey | undefined;

/** The key from AUDIT_HMAC_KEY, else from AUDIT_HMAC_KEY_FILE (created with a random key when missing). */
export function loadAuditKey(config: Pick<Config, 'AUDIT_HMAC_KEY' | 'AUDIT_HMAC_KEY_FILE'>): AuditKey {
  if (config.AUDIT_HMAC_KEY) return Buffer.from(config.AUDIT_HMAC_KEY, 'utf8');
  const file = path.resolve(config.AUDIT_HMAC_KEY_FILE);
  try {
    return parseKeyFile(readFileSync(file, 'utf8'), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  // The key is written whole under a private name, then linked into place: processes starting together
  // never read a half-written file, and link() refuses to replace a key another process put there first.
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(draft, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  try {
    linkSync(draft, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(draft);
  }
  return parseKeyFile(readFileSync(file, 'utf8'), file);
}

function parseKeyFile(text: string, file: string): AuditKey {
  const key = text.trim();
  if (key.length < 32) throw new Error(`audit key file ${file} holds fewer than 32 characters`);
  return Buffer.from(key, 'utf8');
}

/** Makes `key` the one this process seals and verifies with (the API and workers call it at start). */
export function installAuditKey(key: AuditKey): void {
  installed = key;
}

/** The installed key, or the one configured in the environment (command-line tools, scripts). */
export function auditKey(): AuditKey {
  installed ??= loadAuditKey(loadConfig());
  return installed;
}

export function hmacHex(key: AuditKey, message: string): string {
  return createHmac('sha256', key).update(message).digest('hex');
}
