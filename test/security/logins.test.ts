import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, scryptSync } from 'node:crypto';
import { passwordHashingLoad } from '../../src/auth/passwords.js';
import { passwordWeakness } from '../../src/auth/password-policy.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { staffWithSession } from '../helpers/fixtures.js';

/** Attacks on staff logins: racing the limiter, locking others out, exhausting the CPU, weak and old password hashes. */
let t: TestApp;
beforeAll(async () => { t = await createTestApp({ LOGIN_MAX_FAILURES: '5', LOGIN_ADDRESS_MAX_FAILURES: '10' }); });
afterAll(async () => { await t.close(); });

const login = (username: string, password: string, remoteAddress: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress });

describe('login attacks', () => {
  it('40 parallel guesses at one account from one address: only the allowed 5 are tried', async () => {
    const victim = await staffWithSession(t.db.pool, 'admin');
    const codes = (await Promise.all(Array.from({ length: 40 }, (_, i) => login(victim.username, `guess number ${i}`, '203.0.113.40'))))
      .map((r) => r.statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(5);
    expect(codes.filter((c) => c !== 401).every((c) => c === 429 || c === 503)).toBe(true);
    const { rows } = await t.db.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'user.login_failed' AND entity_id = $1`, [String(victim.id)]);
    expect(rows[0].n).toBe(5);
  });

  it('an outsider failing on purpose cannot lock the admin out from the admin\'s own desk', async () => {
    const admin = await staffWithSession(t.db.pool, 'admin');
    for (let i = 0; i < 8; i++) await login(admin.username, `wrong ${i}`, '198.51.100.66');
    expect((await login(admin.username, 'correct horse battery', '10.1.2.3')).statusCode).toBe(200);
  });

  it('rotating unknown usernames from one address is cut off by the per-address limit', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await login(`ghost${i}`, 'whatever guess', '203.0.113.99')).statusCode);
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes.slice(10)).toEqual([429, 429]);
  }, 120_000);

  it('a flood of logins never runs more than PASSWORD_HASH_CONCURRENCY scrypt hashes at once; the excess is turned away', async () => {
    const codes = (await Promise.all(Array.from({ length: 40 }, (_, i) => login(`flood${i}`, 'whatever guess', `192.0.2.${i + 1}`))))
      .map((r) => r.statusCode);
    expect(passwordHashingLoad().peak).toBe(t.config.PASSWORD_HASH_CONCURRENCY);
    expect(codes).toContain(503);
    expect(codes.every((c) => c === 401 || c === 503)).toBe(true);
  }, 120_000);

  it('weak passwords are refused: short, common, keyboard runs, built from the username', () => {
    for (const weak of ['password12', 'password1234', '123456789012', 'qwertyuiop12', 'nguyen.van.an1']) {
      expect(passwordWeakness(weak, ['nguyen.van.an'])).not.toBeNull();
    }
    expect(passwordWeakness('phatnguoi-demo')).toBeNull();
    expect(passwordWeakness('thu ngan sach 2026')).toBeNull();
  });

  it('creating a user with password12 answers 400 weak_password', async () => {
    const admin = await staffWithSession(t.db.pool, 'admin');
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin.headers,
      payload: { username: 'weak.user', fullName: 'Weak User', role: 'officer', password: 'password12' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('weak_password');
  });

  it('a password hashed with the old N=2^15 is rehashed with N=2^17 at the next login', async () => {
    const user = await staffWithSession(t.db.pool, 'officer');
    const salt = randomBytes(16);
    const old = ['scrypt', 32768, 8, 1, salt.toString('base64'),
      scryptSync('correct horse battery', salt, 32, { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }).toString('base64')].join('$');
    await t.db.pool.query('UPDATE users SET password_hash = $2 WHERE id = $1', [user.id, old]);
    expect((await login(user.username, 'correct horse battery', '10.7.7.7')).statusCode).toBe(200);
    const { rows } = await t.db.pool.query('SELECT password_hash FROM users WHERE id = $1', [user.id]);
    expect(rows[0].password_hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect((await login(user.username, 'correct horse battery', '10.7.7.7')).statusCode).toBe(200);
  });
});
