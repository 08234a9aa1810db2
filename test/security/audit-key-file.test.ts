import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadAuditKey } from '../../src/audit/audit-key.js';

const run = promisify(execFile);
const moduleUrl = new URL('../../src/audit/audit-key.ts', import.meta.url).href;

describe('audit key file', () => {
  it('is created once with a random key readable by its owner only, then reused', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-key-'));
    try {
      const file = path.join(dir, 'keys', 'audit.key');
      const first = loadAuditKey({ AUDIT_HMAC_KEY: '', AUDIT_HMAC_KEY_FILE: file });
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(loadAuditKey({ AUDIT_HMAC_KEY: '', AUDIT_HMAC_KEY_FILE: file })).toEqual(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a truncated key file rather than sealing with a guessable key', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-key-'));
    try {
      const file = path.join(dir, 'audit.key');
      writeFileSync(file, 'short\n');
      expect(() => loadAuditKey({ AUDIT_HMAC_KEY: '', AUDIT_HMAC_KEY_FILE: file })).toThrow(/fewer than 32/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives processes that start together one and the same key', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-key-'));
    try {
      const file = path.join(dir, 'audit.key');
      const script = `const { loadAuditKey } = await import(${JSON.stringify(moduleUrl)});
        process.stdout.write(loadAuditKey({ AUDIT_HMAC_KEY_FILE: ${JSON.stringify(file)} }).toString('utf8'));`;
      const outs = await Promise.all(Array.from({ length: 6 }, () => run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script])));
      const keys = new Set(outs.map((o) => o.stdout));
      expect(keys.size).toBe(1);
      expect(readFileSync(file, 'utf8').trim()).toBe([...keys][0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
