import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { auditActions } from './fixtures.js';

const run = promisify(execFile);
const TSX = path.resolve('node_modules/.bin/tsx');

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const cli = (args: string[], env: Record<string, string> = {}) =>
  run(TSX, ['src/cli/create-user.ts', ...args], { env: { ...process.env, DATABASE_URL: t.db.url, LOG_LEVEL: 'silent', ...env } })
    .then((r) => ({ code: 0, ...r }), (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }));

describe('npm run user:create', () => {
  it('bootstraps the first admin with the password from PHAT_PASSWORD, who can then log in', async () => {
    const res = await cli(['--username', 'first.admin', '--full-name', 'Quản trị viên', '--role', 'admin'], { PHAT_PASSWORD: 'bootstrap secret 42' });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/created admin first.admin \(id \d+\)/);
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'first.admin', password: 'bootstrap secret 42' } });
    expect(login.statusCode).toBe(200);
    expect(login.json().user.role).toBe('admin');
    const { rows } = await t.db.pool.query("SELECT actor, actor_id FROM audit_log WHERE action = 'user.created'");
    expect(rows).toEqual([{ actor: expect.stringMatching(/^cli:/), actor_id: null }]);
    expect(await auditActions(t.db.pool, 'user', login.json().user.id)).toEqual(['user.created', 'user.logged_in']);
  });

  it('explains what is wrong, exits 2 and creates nothing for a bad role, a weak password or a taken name', async () => {
    const badRole = await cli(['--username', 'x.user', '--full-name', 'X', '--role', 'chief', '--password', 'long enough pw 1']);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('unknown role "chief"');
    const weak = await cli(['--username', 'y.user', '--full-name', 'Y', '--role', 'officer', '--password', 'short']);
    expect(weak.code).toBe(2);
    expect(weak.stderr).toContain('ít nhất 12 ký tự');
    const missing = await cli(['--username', 'z.user', '--role', 'officer'], { PHAT_PASSWORD: '' });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('usage:');
    const taken = await cli(['--username', 'first.admin', '--full-name', 'Again', '--role', 'officer', '--password', 'long enough pw 1']);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain('đã có người dùng');
    const { rows } = await t.db.pool.query("SELECT username FROM users WHERE username IN ('x.user', 'y.user', 'z.user')");
    expect(rows).toEqual([]);
  });
});
