import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { isProvinceCode } from '../src/vision/plate-grammar.js';

/**
 * A registry export of `vehicles` distinct vehicles for the scale benchmark, written to `file`:
 * plates and ID numbers are derived from the row number, so they never collide however large the
 * file; every 20th vehicle was sold (a second ownership period). Returns the number of data rows.
 */
export async function writeRegistryCsv(file: string, vehicles: number): Promise<number> {
  const out = createWriteStream(file);
  const write = async (text: string) => { if (!out.write(text)) await once(out, 'drain'); };
  await write('plate,plate_colour,vehicle_type,make,model,colour,registered_at,owner_kind,national_id,tax_code,full_name,address,province,phone,email,basis,valid_from,valid_to\n');
  let rows = 0;
  let chunk = '';
  for (let i = 0; i < vehicles; i++) {
    const car = i % 10 < 3;
    const plate = syntheticPlateOf(i, car);
    const type = car ? 'car' : 'motorbike';
    const registered = `20${String(12 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    const line = (owner: number, basis: string, from: string) =>
      `${plate},white,${type},${car ? 'Toyota' : 'Honda'},${car ? 'Vios' : 'Wave Alpha'},trắng,${registered},person,${nationalIdOf(owner)},,`
      + `Nguyễn Văn ${owner % 1000},"Số ${1 + (owner % 300)} Đường Láng, Phường Đống Đa",Thành phố Hà Nội,09${String(owner % 1e8).padStart(8, '0')},,${basis},${from},\n`;
    chunk += line(i, 'registration', registered);
    rows++;
    if (i % 20 === 7) {
      chunk += line(vehicles + i, 'sale_unregistered', '2025-03-01');
      rows++;
    }
    if (chunk.length > 1 << 16) { await write(chunk); chunk = ''; }
  }
  await write(chunk);
  out.end();
  await once(out, 'finish');
  return rows;
}

const PROVINCES = Array.from({ length: 89 }, (_, i) => String(i + 11)).filter(isProvinceCode);
const LETTERS = 'ABCDEFGHKLMNPSTUVXYZ';

/** Distinct for every i below 150 million: province, series and number are digits of i in mixed radix. */
export function syntheticPlateOf(i: number, car: boolean): string {
  const province = PROVINCES[i % PROVINCES.length]!;
  let rest = Math.floor(i / PROVINCES.length);
  const letter = LETTERS[rest % LETTERS.length]!;
  rest = Math.floor(rest / LETTERS.length);
  const digit = 1 + (rest % 9);
  if (!car) rest = Math.floor(rest / 9);
  const number = String(rest % 100_000).padStart(5, '0');
  const formatted = `${number.slice(0, 3)}.${number.slice(3)}`;
  return car ? `${province}${letter}-${formatted}` : `${province}-${letter}${digit} ${formatted}`;
}

/** A valid personal ID number distinct for every i below 2.4 billion (born 1950-1999). */
export function nationalIdOf(i: number): string {
  const serial = String(i % 1_000_000).padStart(6, '0');
  const year = 50 + (Math.floor(i / 1_000_000) % 50);
  const province = String(1 + (Math.floor(i / 50_000_000) % 96)).padStart(3, '0');
  return `${province}0${year}${serial}`;
}
