import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { auditActions, bearer, PASSWORD, staffMember, type Staff } from './fixtures.js';

let t: TestApp;
let admin: Staff;
beforeAll(async () => {
  t = await createTestApp();
  admin = await staffMember(t, 'admin.users', 'admin');
});
afterAll(async () => { await t.close(); });

const create = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(admin), payload });
const login = (username: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });

describe('user administration', () => {
  it('creates a user who can then log in, and records who created them', async () => {
    const res = await create({ username: 'tran.thi.binh', fullName: 'Trần Thị Bình', role: 'finance', password: 'thu ngan sach 2026' });
    expect(res.statusCode).toBe(201);
    const user = res.json();
    expect(user).toMatchObject({ username: 'tran.thi.binh', fullName: 'Trần Thị Bình', role: 'finance', active: true });
    expect(user).not.toHaveProperty('passwordHash');
    expect((await login('tran.thi.binh', 'thu ngan sach 2026')).statusCode).toBe(200);
    const { rows } = await t.db.pool.query("SELECT actor, details FROM audit_log WHERE action = 'user.created' AND entity_id = $1", [String(user.id)]);
    expect(rows[0]).toMatchObject({ actor: 'admin.users', details: { username: 'tran.thi.binh', role: 'finance' } });
  });

  it('refuses a taken username with 409 and a short password or bad username with 400, storing nothing', async () => {
    await create({ username: 'dup.user', fullName: 'A', role: 'officer', password: PASSWORD });
    const dup = await create({ username: 'dup.user', fullName: 'B', role: 'admin', password: PASSWORD });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toBe('username_taken');
    const weak = await create({ username: 'weak.user', fullName: 'W', role: 'officer', password: 'abc123' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error).toBe('weak_password');
    const bad = await create({ username: 'Bad User!', fullName: 'X', role: 'officer', password: PASSWORD });
    expect(bad.statusCode).toBe(400);
    const role = await create({ username: 'role.user', fullName: 'R', role: 'superuser', password: PASSWORD });
    expect(role.statusCode).toBe(400);
    const { rows } = await t.db.pool.query("SELECT username FROM users WHERE username IN ('weak.user', 'role.user') OR full_name = 'B'");
    expect(rows).toEqual([]);
  });

  it('lists users filtered by role and active flag', async () => {
    await create({ username: 'op.one', fullName: 'Op', role: 'operator', password: PASSWORD });
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/users?role=operator&active=true', headers: bearer(admin) });
    expect(res.statusCode).toBe(200);
    const users = res.json().users as Array<{ username: string; role: string }>;
    expect(users.map((u) => u.username)).toContain('op.one');
    expect(users.every((u) => u.role === 'operator')).toBe(true);
  });

  it('a role change takes effect on the next request and is audited as user.role_changed', async () => {
    const officer = await staffMember(t, 'officer.promoted', 'officer');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(officer) })).statusCode).toBe(403);
    const res = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${officer.id}`, headers: bearer(admin), payload: { role: 'admin' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().role).toBe('admin');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(officer) })).statusCode).toBe(200);
    const { rows } = await t.db.pool.query("SELECT details FROM audit_log WHERE action = 'user.role_changed' AND entity_id = $1", [String(officer.id)]);
    expect(rows[0]!.details).toMatchObject({ from: 'officer', to: 'admin' });
  });

  it('will not demote or disable the last active admin', async () => {
    const solo = await createTestApp();
    try {
      const only = await staffMember(solo, 'only.admin', 'admin');
      const demote = await solo.app.inject({ method: 'PATCH', url: `/api/v1/users/${only.id}`, headers: bearer(only), payload: { role: 'officer' } });
      expect(demote.statusCode).toBe(409);
      expect(demote.json().error).toBe('last_admin');
      const disable = await solo.app.inject({ method: 'PATCH', url: `/api/v1/users/${only.id}`, headers: bearer(only), payload: { active: false } });
      expect(disable.statusCode).toBe(409);
      const { rows } = await solo.db.pool.query('SELECT role, active FROM users WHERE id = $1', [only.id]);
      expect(rows[0]).toEqual({ role: 'admin', active: true });
    } finally {
      await solo.close();
    }
  });

  it('a password reset ends the user\'s sessions and only the new password works', async () => {
    const user = await staffMember(t, 'officer.forgot', 'officer');
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/users/${user.id}/password`, headers: bearer(admin), payload: { password: 'temporary secret 1' } });
    expect(res.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(user) })).statusCode).toBe(401);
    expect((await login('officer.forgot', PASSWORD)).statusCode).toBe(401);
    expect((await login('officer.forgot', 'temporary secret 1')).statusCode).toBe(200);
    expect(await auditActions(t.db.pool, 'user', user.id)).toContain('user.password_reset');
  });

  it('re-enabling a user lets them log in again; both changes are audited', async () => {
    const user = await staffMember(t, 'officer.back', 'officer');
    await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${user.id}`, headers: bearer(admin), payload: { active: false } });
    expect((await login('officer.back', PASSWORD)).statusCode).toBe(401);
    await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${user.id}`, headers: bearer(admin), payload: { active: true } });
    expect((await login('officer.back', PASSWORD)).statusCode).toBe(200);
    const actions = await auditActions(t.db.pool, 'user', user.id);
    expect(actions).toEqual(expect.arrayContaining(['user.disabled', 'user.enabled']));
  });

  it('answers 404 for an unknown user and 400 for an empty change', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users/999999', headers: bearer(admin) })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'PATCH', url: '/api/v1/users/999999', headers: bearer(admin), payload: { role: 'officer' } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${admin.id}`, headers: bearer(admin), payload: {} })).statusCode).toBe(400);
  });
});
