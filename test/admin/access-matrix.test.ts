import { afterAll, describe, expect, it } from 'vitest';
import { declaredRoutes, selfGuardedRoutes, type DeclaredRoute } from '../../src/api/access.js';
import { ROLES, type Role } from '../../src/auth/roles.js';
import { createSession } from '../../src/auth/sessions.js';
import { withTransaction } from '../../src/db/pool.js';
import { createUser } from '../../src/users/user-store.js';
import { createTestApp } from '../helpers/app.js';
import { PASSWORD } from './fixtures.js';

/**
 * The role matrix: every route the API registers, including routes other modules add later, is
 * walked from the access table the access-control hook records. Anonymous callers get 401, staff
 * outside the declared roles 403, staff inside them are let through, cameras need their key.
 */

const t = await createTestApp();
afterAll(async () => { await t.close(); });

const userIds = {} as Record<Role, number>;
for (const role of ROLES) {
  const user = await withTransaction(t.db.pool, (tx) =>
    createUser(tx, { username: `matrix.${role}`, fullName: `Matrix ${role}`, role, password: PASSWORD }, { id: null, username: 'test-setup' }));
  userIds[role] = user.id;
}
/** A fresh session per request: some allowed calls (logout, password change) end the session they use. */
const tokenFor = async (role: Role) => (await createSession(t.db.pool, userIds[role], 60)).token;

const routes = [...declaredRoutes(t.app)].sort((a, b) => `${a.url} ${a.method}`.localeCompare(`${b.url} ${b.method}`));
const staffRoutes = routes.filter((r): r is DeclaredRoute & { access: readonly Role[] } => Array.isArray(r.access));
const cameraRoutes = routes.filter((r) => r.access === 'camera');
const publicRoutes = routes.filter((r) => r.access === 'public');
// plugins that check callers themselves (queue dashboard, metrics); the API docs are public by design
const selfGuarded = selfGuardedRoutes(t.app).filter((r) => !r.url.startsWith('/docs'));

/** A concrete URL for a route pattern: ids that exist nowhere, so an admitted call can at most 404. */
function concrete(url: string): string {
  return url.replace(/:(\w+)/g, (_m, name: string) => (/id$|rank$|Id$/i.test(name) ? '999999' : 'x')).replace(/\*/g, 'x');
}

const call = (route: DeclaredRoute, headers: Record<string, string> = {}) =>
  t.app.inject({ method: route.method as 'GET', url: concrete(route.url), headers });

describe('the access table', () => {
  it('holds every route in the OpenAPI document, so the matrix below cannot miss one', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const declared = new Set([...routes, ...selfGuardedRoutes(t.app)].map((r) => `${r.method} ${r.url}`));
    const documented = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
    expect(documented.length).toBeGreaterThan(10);
    expect(documented.filter((d) => !declared.has(d))).toEqual([]);
  });

  it('includes the admin routes and declares an explicit role set for each staff route', () => {
    const keys = routes.map((r) => `${r.method} ${r.url}`);
    expect(keys).toEqual(expect.arrayContaining([
      'POST /api/v1/auth/login', 'GET /api/v1/auth/me', 'GET /api/v1/users', 'GET /api/v1/review/queue',
      'POST /api/v1/violations/:id/approve', 'GET /api/v1/evidence/:captureId/image', 'POST /api/v1/audit/verifications',
      'GET /api/v1/plates/:plate/sightings',
    ]));
    for (const r of staffRoutes) {
      expect(r.access.length, `${r.method} ${r.url}`).toBeGreaterThan(0);
      expect(r.access.every((role) => (ROLES as readonly string[]).includes(role)), `${r.method} ${r.url}`).toBe(true);
    }
  });
});

describe.each(staffRoutes.map((r) => [`${r.method} ${r.url} (${r.access.join(', ')})`, r] as const))('%s', (_name, route) => {
  it('refuses an anonymous caller with 401', async () => {
    const res = await call(route);
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('unauthenticated');
  });

  it('refuses an unknown session token with 401', async () => {
    expect((await call(route, { authorization: 'Bearer pn_not-a-real-session' })).statusCode).toBe(401);
  });

  it.each(ROLES.filter((role) => !route.access.includes(role)))('refuses the %s role with 403', async (role) => {
    const res = await call(route, { authorization: `Bearer ${await tokenFor(role)}` });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toBe('forbidden');
  });

  it.each([...route.access])('lets the %s role through', async (role) => {
    const res = await call(route, { authorization: `Bearer ${await tokenFor(role)}` });
    expect(res.statusCode).not.toBe(401);
    expect(res.statusCode === 403 && res.json().error === 'forbidden').toBe(false);
  });
});

describe.each(cameraRoutes.map((r) => [`${r.method} ${r.url} (camera)`, r] as const))('%s', (_name, route) => {
  it('refuses a caller without a camera key with 401, even a logged-in admin', async () => {
    expect((await call(route)).statusCode).toBe(401);
    expect((await call(route, { authorization: `Bearer ${await tokenFor('admin')}` })).statusCode).toBe(401);
  });

  it('refuses an unknown camera key with 401', async () => {
    expect((await call(route, { 'x-api-key': 'cam_not-a-real-key' })).statusCode).toBe(401);
  });
});

describe.each(publicRoutes.map((r) => [`${r.method} ${r.url} (public)`, r] as const))('%s', (_name, route) => {
  it('answers an anonymous caller without asking for credentials', async () => {
    expect([401, 403]).not.toContain((await call(route)).statusCode);
  });
});

describe.each(selfGuarded.map((r) => [`${r.method} ${r.url} (guards itself)`, r] as const))('%s', (_name, route) => {
  it('refuses an anonymous caller with 401', async () => {
    expect((await t.app.inject({ method: route.method as 'GET', url: concrete(route.url) })).statusCode).toBe(401);
  });

  it('refuses an unknown session token with 401', async () => {
    const res = await t.app.inject({ method: route.method as 'GET', url: concrete(route.url), headers: { authorization: 'Bearer pn_not-a-real-session' } });
    expect(res.statusCode).toBe(401);
  });
});
