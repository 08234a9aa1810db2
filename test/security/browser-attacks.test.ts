import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/api/access.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { staffWithSession, type TestStaff } from '../helpers/fixtures.js';

/** Attacks through a logged-in officer's browser: cross-site request forgery, framing (clickjacking), script injection, MIME sniffing. */
let t: TestApp;
let admin: TestStaff;
beforeAll(async () => {
  t = await createTestApp({ PUBLIC_BASE_URL: 'https://phatnguoi.example.vn' });
  admin = await staffWithSession(t.db.pool, 'admin');
});
afterAll(async () => { await t.close(); });

const cookie = () => ({ cookie: `${SESSION_COOKIE}=${admin.token}` });
const createUser = (headers: Record<string, string>, username: string) => t.app.inject({ method: 'POST', url: '/api/v1/users', headers,
  payload: { username, fullName: 'Kẻ giả mạo', role: 'admin', password: 'a long enough passphrase 7' } });

describe('cross-site request forgery', () => {
  it('a forged cross-site POST riding the session cookie is refused and changes nothing', async () => {
    const res = await createUser({ ...cookie(), origin: 'https://evil.example' }, 'csrf.victim1');
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toBe('csrf_origin');
    const { rows } = await t.db.pool.query(`SELECT 1 FROM users WHERE username LIKE 'csrf.%'`);
    expect(rows).toHaveLength(0);
  });

  it('a cookie-authenticated POST without Origin or Referer is refused', async () => {
    expect((await createUser(cookie(), 'csrf.victim2')).statusCode).toBe(403);
    expect((await createUser({ ...cookie(), referer: 'https://evil.example/page' }, 'csrf.victim3')).statusCode).toBe(403);
  });

  it('the console on our own origin, and API clients with a Bearer token, still work', async () => {
    expect((await createUser({ ...cookie(), origin: 'https://phatnguoi.example.vn' }, 'console.made')).statusCode).toBe(201);
    expect((await createUser(admin.headers, 'bearer.made')).statusCode).toBe(201);
  });
});

describe('security headers', () => {
  it('every response forbids framing and MIME sniffing and carries a CSP without inline scripts', async () => {
    for (const url of ['/console/', '/docs/', '/api/v1/auth/me', '/health']) {
      const res = await t.app.inject({ method: 'GET', url, headers: admin.headers });
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      const csp = String(res.headers['content-security-policy']);
      expect(csp, url).toMatch(/script-src 'self'(;|$)/);
      expect(csp, url).toContain("frame-ancestors 'none'");
    }
  });
});
