import { describe, expect, it } from 'vitest';
import { checkRegistryRow } from '../../src/registry/row-check.js';

const now = new Date('2025-06-01T00:00:00+07:00');
const row = (validFrom: string) => ({
  plate: '30A-123.45', plate_colour: 'white', vehicle_type: 'car', registered_at: '2020-01-01', owner_kind: 'person',
  national_id: '001090123456', full_name: 'Nguyễn Văn An', address: 'Hà Nội', province: 'Hà Nội', valid_from: validFrom,
});

/** How a date alone was read before: Date's own parser at midnight in Vietnam, refused when Date rolled it over. */
function byDateParser(text: string): Date | undefined {
  const d = new Date(`${text}T00:00:00+07:00`);
  if (Number.isNaN(d.getTime())) return undefined;
  const [y, m, day] = text.split('-').map(Number);
  const probe = new Date(Date.UTC(y!, m! - 1, day!));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== m! - 1 || probe.getUTCDate() !== day) return undefined;
  return d;
}

describe('checking one registry row', () => {
  it('reads a date alone as midnight in Vietnam, and refuses days a month does not have, as Date\'s parser did', () => {
    const dates: string[] = ['0050-01-01', '0999-12-31'];
    for (const year of [1899, 1900, 1999, 2000, 2023, 2024, 2025]) {
      for (let month = 0; month <= 13; month++) {
        for (const day of [0, 1, 15, 28, 29, 30, 31, 32]) {
          dates.push(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
        }
      }
    }
    let real = 0;
    for (const date of dates) {
      const expected = byDateParser(date);
      const checked = checkRegistryRow(row(date), now);
      if (expected === undefined || expected > now) {
        expect({ date, checked }).toMatchObject({ date, checked: { problem: expect.stringMatching(/^valid_from: /) } });
      } else {
        real++;
        expect({ date, validFrom: 'problem' in checked ? checked.problem : checked.validFrom }).toEqual({ date, validFrom: expected });
      }
    }
    expect(real).toBeGreaterThan(300);
    expect(checkRegistryRow(row('2024-02-29'), now)).toMatchObject({ validFrom: new Date('2024-02-28T17:00:00Z') });
    expect(checkRegistryRow(row('2023-02-29'), now)).toEqual({ problem: 'valid_from: "2023-02-29" không phải ngày có thật' });
  });
});
