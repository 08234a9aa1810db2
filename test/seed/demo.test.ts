import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nationalIdProblem, parseRegistryPlate } from '../../src/registry/validation.js';
import { createPipelineQueues, type PipelineQueues } from '../../src/queue/queues.js';
import { DEMO_CAMERAS, DEMO_USERS, seedDemo } from '../../src/seed/demo.js';
import { seedDemoCaptures } from '../../src/seed/demo-captures.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let queues: PipelineQueues;
beforeAll(async () => {
  t = await createTestApp();
  queues = createPipelineQueues(t.config, t.redis);
});
afterAll(async () => {
  await Promise.all(queues.all().map((q) => q.obliterate({ force: true })));
  await queues.close();
  await t.close();
});

const options = { owners: 300, password: 'demo-password-1', seed: 7 };

describe('demo seed', () => {
  it('loads cameras, users and owners with valid ID numbers and vehicles with valid plates', async () => {
    const result = await seedDemo(t.db.pool, options);
    expect(result.camerasCreated.map((c) => c.code)).toEqual(DEMO_CAMERAS.map((c) => c.code));
    expect(result.usersCreated).toEqual(DEMO_USERS.map((u) => u.username));
    expect(result.owners).toBeGreaterThan(300);
    const { rows: owners } = await t.db.pool.query<{ national_id: string }>("SELECT national_id FROM owners WHERE kind = 'person'");
    expect(owners.filter((o) => nationalIdProblem(o.national_id) !== null)).toEqual([]);
    const { rows: vehicles } = await t.db.pool.query<{ plate: string; vehicle_type: 'car' }>('SELECT plate, vehicle_type FROM vehicles');
    expect(vehicles.filter((v) => 'problem' in parseRegistryPlate(v.plate, v.vehicle_type))).toEqual([]);
    const provinces = await t.db.pool.query<{ province: string }>('SELECT DISTINCT province FROM cameras ORDER BY 1');
    expect(provinces.rows.map((r) => r.province)).toEqual(['Thành phố Hà Nội', 'Tỉnh Bắc Ninh']);
    const units = await t.db.pool.query<{ code: string; unit: string | null }>('SELECT c.code, u.code AS unit FROM cameras c LEFT JOIN handling_units u ON u.id = c.detecting_unit_id');
    for (const r of units.rows) expect(r.unit).toBe(r.code.startsWith('BG-') ? 'PC08BN' : 'PC08HN');
  });

  it('changes nothing when run again', async () => {
    const again = await seedDemo(t.db.pool, options);
    expect(again).toMatchObject({ camerasCreated: [], usersCreated: [], ownerships: { created: 0 } });
  });

  it('demo users can log in with the seed password', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'canbo1', password: options.password } });
    expect(res.statusCode).toBe(200);
    expect(res.json().user.role).toBe('officer');
  });

  it('queues demo camera frames through the real ingest, once', async () => {
    const deps = { pool: t.db.pool, storage: t.app.deps.storage, queues, limits: { maxPixels: 4e7, maxBytes: 2e7 } };
    const first = await seedDemoCaptures(deps, { count: 8, seed: 7 });
    expect(first.created).toBeGreaterThanOrEqual(8);
    expect(first.duplicates).toBe(0);
    expect(await queues.recognise.getJobCountByTypes('waiting', 'delayed', 'active')).toBe(first.created);
    const again = await seedDemoCaptures(deps, { count: 8, seed: 7 });
    expect(again).toEqual({ created: 0, duplicates: first.created });
  });
});
