import { isProvinceCode, normalisePlate, plateKey, SERIES_LETTERS } from '../vision/plate-grammar.js';
import { categoryOfVehicleType, type VehicleType } from './types.js';

/**
 * Số định danh cá nhân: PPP G YY RRRRRR. PPP is a birth-registration province code (001-096),
 * G encodes gender and century (0/1 born 1900s, 2/3 born 2000s). Returns a reason, or null when valid.
 */
export function nationalIdProblem(id: string, today: Date = new Date()): string | null {
  if (!/^\d{12}$/.test(id)) return 'số định danh cá nhân phải gồm 12 chữ số';
  const province = Number(id.slice(0, 3));
  if (province < 1 || province > 96) return `mã tỉnh ${id.slice(0, 3)} của số định danh không tồn tại (001-096)`;
  const g = Number(id[3]);
  if (g > 3) return `chữ số giới tính/thế kỷ ${g} của số định danh không thuộc 0-3 (sinh năm 1900-2099)`;
  const year = (g < 2 ? 1900 : 2000) + Number(id.slice(4, 6));
  if (year > today.getUTCFullYear()) return `số định danh cho năm sinh ${year}, là năm trong tương lai`;
  return null;
}

export function taxCodeProblem(code: string): string | null {
  return /^[0-9]{10}(-?[0-9]{3})?$/.test(code) ? null : 'mã số thuế phải gồm 10 chữ số, có thể kèm 3 chữ số mã chi nhánh';
}

export interface RegistryPlate {
  plate: string;
  plateKey: string;
}

/**
 * A plate as the registration system issued it. Unlike a camera read, nothing is repaired: a
 * registry row holding "3OA" is a data error, not a look-alike.
 */
export function parseRegistryPlate(text: string, vehicleType: VehicleType): RegistryPlate | { problem: string } {
  const key = plateKey(text);
  const layout = categoryOfVehicleType(vehicleType) === 'motorbike' ? 'two-line' : 'one-line';
  const quick = commonPlate(key, layout === 'two-line');
  if (quick) return quick;
  const n = normalisePlate(text, 'vn', { layout });
  if (!n.valid || key.length < 6 || key.length > 10) return { problem: `biển số "${text}" không đúng định dạng biển số Việt Nam` };
  if (n.key !== key) return { problem: `biển số "${text}" không đúng định dạng biển số Việt Nam (có phải ${n.canonical}?)` };
  return { plate: n.canonical, plateKey: key };
}

const COMMON = new RegExp(`^(\\d\\d)([${SERIES_LETTERS}])(\\d{4,6})$`);

/**
 * The shapes most plates have (30A-1234, 30A-123.45, 29-B1 123.45), read without the template fitter.
 * A key of one of these shapes fits its most likely template exactly, so the fitter cannot choose
 * otherwise; it costs ~100 µs a plate, which would cap a registry import near 10,000 rows/s. Anything
 * else goes to the fitter (test/registry/validation.test.ts checks both agree).
 */
function commonPlate(key: string, twoLine: boolean): RegistryPlate | undefined {
  const m = COMMON.exec(key);
  if (!m || !isProvinceCode(m[1]!)) return undefined;
  const [, province, letter, tail] = m as unknown as [string, string, string, string];
  // 8 characters read as one letter and 5 digits: the fitter's first exact template wins the tie
  const series = tail.length === 6 ? letter + tail[0] : letter;
  const digits = tail.length === 6 ? tail.slice(1) : tail;
  const number = digits.length === 5 ? `${digits.slice(0, 3)}.${digits.slice(3)}` : digits;
  const plate = twoLine && series.length === 2 ? `${province}-${series} ${number}` : `${province}${series}-${number}`;
  return { plate, plateKey: key };
}

/** The fitter alone, for tests that hold the quick path to it. */
export function parseRegistryPlateByTemplates(text: string, vehicleType: VehicleType): RegistryPlate | { problem: string } {
  const key = plateKey(text);
  const layout = categoryOfVehicleType(vehicleType) === 'motorbike' ? 'two-line' : 'one-line';
  const n = normalisePlate(text, 'vn', { layout });
  if (!n.valid || key.length < 6 || key.length > 10 || n.key !== key) return { problem: 'không khớp' };
  return { plate: n.canonical, plateKey: key };
}
