import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINES_DIR, FineScheduleError, loadFineSchedules, NoFineError, priceOffence, validateSchedules, type ScheduleFile } from '../../src/violations/fine-schedule.js';

const shipped = JSON.parse(readFileSync(path.join(FINES_DIR, 'nd168-2024.json'), 'utf8')) as ScheduleFile;
const at = new Date('2025-06-01T08:00:00+07:00');

describe('the Decree 168/2024 fine schedule', () => {
  it('loads and validates the shipped files', () => {
    const versions = loadFineSchedules();
    expect(versions[0]).toMatchObject({ version: 'nd168-2024', from: new Date('2024-12-31T17:00:00Z') });
  });

  it.each([
    ['speeding_5_10', 'car', '16824.6.3.a.01', 800_000, 1_000_000, 900_000, 0],
    ['speeding_10_20', 'car', '16824.6.5.đ.01', 4_000_000, 6_000_000, 5_000_000, 2],
    ['speeding_20_35', 'car', '16824.6.6.a.01', 6_000_000, 8_000_000, 7_000_000, 4],
    ['speeding_over_35', 'car', '16824.6.7.a.01', 12_000_000, 14_000_000, 13_000_000, 6],
    ['red_light', 'car', '16824.6.9.b.01', 18_000_000, 20_000_000, 19_000_000, 4],
    ['wrong_lane', 'car', '16824.6.5.b.01', 4_000_000, 6_000_000, 5_000_000, 2],
    ['wrong_way', 'car', '16824.6.9.d.01', 18_000_000, 20_000_000, 19_000_000, 4],
    ['no_entry', 'car', '16824.6.5.i.01', 4_000_000, 6_000_000, 5_000_000, 2],
    ['no_stopping', 'car', '16824.6.2.đ.01', 600_000, 800_000, 700_000, 0],
    ['no_parking', 'car', '16824.6.3.e.01', 800_000, 1_000_000, 900_000, 0],
    ['speeding_5_10', 'motorbike', '16824.7.2.b.01', 400_000, 600_000, 500_000, 0],
    ['speeding_10_20', 'motorbike', '16824.7.4.a.01', 800_000, 1_000_000, 900_000, 0],
    ['speeding_20_35', 'motorbike', '16824.7.8.a.01', 6_000_000, 8_000_000, 7_000_000, 4],
    ['speeding_over_35', 'motorbike', '16824.7.8.a.01', 6_000_000, 8_000_000, 7_000_000, 4],
    ['red_light', 'motorbike', '16824.7.7.c.01', 4_000_000, 6_000_000, 5_000_000, 4],
    ['wrong_lane', 'motorbike', '16824.7.3.d.01', 600_000, 800_000, 700_000, 0],
    ['wrong_way', 'motorbike', '16824.7.7.a.01', 4_000_000, 6_000_000, 5_000_000, 2],
    ['no_entry', 'motorbike', '16824.7.6.b.01', 2_000_000, 3_000_000, 2_500_000, 2],
    ['no_stopping', 'motorbike', '16824.7.2.e.01', 400_000, 600_000, 500_000, 0],
    ['no_parking', 'motorbike', '16824.7.2.e.01', 400_000, 600_000, 500_000, 0],
  ] as const)('prices %s by %s as %s, %i-%i, default %i, %i points', (offence, category, code, min, max, amount, points) => {
    expect(priceOffence(offence, category, at)).toMatchObject({ violationCode: code, fineMin: min, fineMax: max, fineAmount: amount, points, scheduleVersion: 'nd168-2024' });
  });

  it('names the legal clause in the public style', () => {
    expect(priceOffence('speeding_10_20', 'car', at).legalClause).toBe('Điểm đ khoản 5 Điều 6 Nghị định 168/2024/NĐ-CP');
  });

  it('refuses to price a violation from before any schedule (in force from midnight 1/1/2025 Vietnam time)', () => {
    expect(() => priceOffence('red_light', 'car', new Date('2024-12-31T16:59:59Z'))).toThrow(NoFineError);
    expect(priceOffence('red_light', 'car', new Date('2024-12-31T17:00:00Z')).scheduleVersion).toBe('nd168-2024');
  });
});

describe('schedule versions', () => {
  const amended: ScheduleFile = { ...shipped, version: 'nd238-2026', decree: '238/2026/NĐ-CP', effectiveFrom: '2026-08-15',
    entries: shipped.entries.map((e) => (e.offence === 'red_light' && e.category === 'car' ? { ...e, fineMin: 20_000_000, fineMax: 22_000_000 } : e)) };

  it('prices each violation by the version in force when it happened', () => {
    const versions = validateSchedules([{ name: 'a.json', content: shipped }, { name: 'b.json', content: amended }]);
    expect(priceOffence('red_light', 'car', new Date('2026-08-14T16:59:59Z'), versions)).toMatchObject({ scheduleVersion: 'nd168-2024', fineAmount: 19_000_000 });
    expect(priceOffence('red_light', 'car', new Date('2026-08-14T17:00:00Z'), versions)).toMatchObject({ scheduleVersion: 'nd238-2026', fineAmount: 21_000_000 });
  });

  it('refuses two versions in force on the same day', () => {
    expect(() => validateSchedules([{ name: 'a.json', content: shipped }, { name: 'b.json', content: { ...amended, effectiveFrom: '2025-01-01' } }]))
      .toThrow(/overlaps/);
    expect(() => validateSchedules([{ name: 'a.json', content: { ...shipped, effectiveTo: '2026-09-01' } }, { name: 'b.json', content: amended }]))
      .toThrow(/overlaps/);
  });

  it('refuses ill-formed files, naming the file and the problem', () => {
    const bad = (content: unknown) => () => validateSchedules([{ name: 'bad.json', content }]);
    expect(bad({ ...shipped, effectiveFrom: '1/1/2025' })).toThrow(/bad.json: \/effectiveFrom/);
    expect(bad({ ...shipped, entries: [{ ...shipped.entries[0]!, fineMin: 2_000_000 }, ...shipped.entries.slice(1)] })).toThrow(/fineMin is above fineMax/);
    expect(bad({ ...shipped, entries: [{ ...shipped.entries[0]!, code: '16824.6.4.a.01' }, ...shipped.entries.slice(1)] })).toThrow(/does not match/);
    expect(bad({ ...shipped, entries: shipped.entries.filter((e) => e.offence !== 'no_parking') })).toThrow(/no fine for no_parking/);
    expect(bad({ ...shipped, entries: shipped.entries.filter((e) => e.offence !== 'no_helmet_passenger') })).toThrow(/no fine for no_helmet_passenger by motorbike/);
    expect(bad({ ...shipped, entries: [...shipped.entries, shipped.entries[0]] })).toThrow(/listed twice/);
    expect(bad({ ...shipped, entries: [{ ...shipped.entries[0]!, fineMin: -5 }, ...shipped.entries.slice(1)] })).toThrow(FineScheduleError);
  });

  it('refuses a fine the decree does not have: a seat belt on a motorbike, a helmet or three riders in a car', () => {
    const invented = (offence: string, category: 'car' | 'motorbike') => () => validateSchedules([{ name: 'made-up.json', content: { ...shipped,
      entries: [...shipped.entries, { ...shipped.entries.find((e) => e.offence === offence)!, category }] } }]);
    expect(invented('no_seat_belt_driver', 'motorbike')).toThrow(/made-up.json: a fine for no_seat_belt_driver by motorbike, which the decree does not have/);
    expect(invented('emergency_lane', 'motorbike')).toThrow(/emergency_lane by motorbike/);
    expect(invented('no_helmet_rider', 'car')).toThrow(/no_helmet_rider by car/);
    expect(invented('three_on_motorbike', 'car')).toThrow(/three_on_motorbike by car/);
    expect(() => priceOffence('no_seat_belt_driver', 'motorbike', at)).toThrow(NoFineError);
  });

  it('loads a directory of versions and refuses one that is not JSON', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fines-'));
    writeFileSync(path.join(dir, 'nd168-2024.json'), JSON.stringify(shipped));
    writeFileSync(path.join(dir, 'nd238-2026.json'), JSON.stringify(amended));
    expect(loadFineSchedules(dir).map((v) => v.version)).toEqual(['nd168-2024', 'nd238-2026']);
    writeFileSync(path.join(dir, 'broken.json'), '{ "version": ');
    expect(() => loadFineSchedules(dir)).toThrow(/broken.json: not valid JSON/);
  });
});
