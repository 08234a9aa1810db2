import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { staffWithSession } from '../helpers/fixtures.js';

/** Attack: a client forging X-Forwarded-For to dodge rate limits and plant addresses in the audit log. */
let t: TestApp;
beforeAll(async () => { t = await createTestApp({ LOOKUP_RATE_LIMIT_PER_MINUTE: '3', TRUSTED_PROXIES: '10.9.0.0/16, 192.0.2.7' }); });
afterAll(async () => { await t.close(); });

const lookup = (remoteAddress: string, forwardedFor?: string) => t.app.inject({
  method: 'GET', url: '/api/v1/lookup?plate=30A-123.45', remoteAddress,
  headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
});

describe('forged client addresses', () => {
  it('rotating X-Forwarded-For from an untrusted client does not bypass the lookup rate limit', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await lookup('203.0.113.5', `198.51.100.${i}`)).statusCode);
    expect(codes.slice(0, 3).every((c) => c !== 429)).toBe(true);
    expect(codes.slice(3)).toEqual([429, 429]);
  });

  it('a configured proxy is believed: clients behind it are limited one by one', async () => {
    const a = [];
    for (let i = 0; i < 4; i++) a.push((await lookup('10.9.1.1', '198.51.100.77')).statusCode);
    expect(a.at(-1)).toBe(429);
    expect((await lookup('192.0.2.7', '198.51.100.78')).statusCode).not.toBe(429);
  });

  it('a forged address does not land in the audit log of a login', async () => {
    const officer = await staffWithSession(t.db.pool, 'officer');
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '203.0.113.9',
      headers: { 'x-forwarded-for': '1.2.3.4' }, payload: { username: officer.username, password: 'wrong password 123' } });
    const { rows } = await t.db.pool.query(`SELECT details->>'ip' AS ip FROM audit_log WHERE action = 'user.login_failed'`);
    expect(rows.map((r) => r.ip)).toEqual(['203.0.113.9']);
  });
});
