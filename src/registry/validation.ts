import { normalisePlate, plateKey } from '../vision/plate-grammar.js';
import { categoryOfVehicleType, type VehicleType } from './types.js';

/**
 * Số định danh cá nhân: PPP G YY RRRRRR. PPP is a birth-registration province code (001-096),
 * G encodes gender and century (0/1 born 1900s, 2/3 born 2000s). Returns a reason, or null when valid.
 */
export function nationalIdProblem(id: string, today: Date = new Date()): string | null {
  if (!/^\d{12}$/.test(id)) return 'national ID must be 12 digits';
  const province = Number(id.slice(0, 3));
  if (province < 1 || province > 96) return `national ID province code ${id.slice(0, 3)} does not exist (001-096)`;
  const g = Number(id[3]);
  if (g > 3) return `national ID gender/century digit ${g} is not 0-3 (born 1900-2099)`;
  const year = (g < 2 ? 1900 : 2000) + Number(id.slice(4, 6));
  if (year > today.getUTCFullYear()) return `national ID gives birth year ${year}, which is in the future`;
  return null;
}

export function taxCodeProblem(code: string): string | null {
  return /^[0-9]{10}(-?[0-9]{3})?$/.test(code) ? null : 'tax code must be 10 digits, optionally followed by a 3-digit branch suffix';
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
  const n = normalisePlate(text, 'vn', { layout });
  if (!n.valid || key.length < 6 || key.length > 10) return { problem: `plate "${text}" does not fit the Vietnamese plate format` };
  if (n.key !== key) return { problem: `plate "${text}" does not fit the Vietnamese plate format (did you mean ${n.canonical}?)` };
  return { plate: n.canonical, plateKey: key };
}
