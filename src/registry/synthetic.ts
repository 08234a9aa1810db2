import { isProvinceCode } from '../vision/plate-grammar.js';
import type { OwnerInput, PlateColour, VehicleInput, VehicleType } from './types.js';
import { categoryOfVehicleType } from './types.js';
import { parseRegistryPlate } from './validation.js';

/**
 * Generators of well-formed but invented registry data, for tests and the demo seed. Deterministic
 * for a given seed so a seeded database and its tests agree run after run.
 */
export type Rng = () => number;

/** mulberry32: small, fast, good enough to spread synthetic data. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const digits = (rng: Rng, n: number) => Array.from({ length: n }, () => String(int(rng, 0, 9))).join('');

/** A valid personal ID number (PPP G YY RRRRRR) for someone born in `birthYear` (default 1950-2005). */
export function syntheticNationalId(rng: Rng, birthYear = int(rng, 1950, 2005)): string {
  const province = String(int(rng, 1, 96)).padStart(3, '0');
  const female = rng() < 0.5 ? 1 : 0;
  const century = birthYear >= 2000 ? 2 : 0;
  return `${province}${century + female}${String(birthYear % 100).padStart(2, '0')}${digits(rng, 6)}`;
}

const PROVINCES = Array.from({ length: 89 }, (_, i) => String(i + 11)).filter(isProvinceCode);
// R is the trailer series; plain private cars and motorbikes never carry it
const CAR_SERIES = 'ABCDEFGHKLMNPSTUVXYZ';
const BIKE_SERIES = 'ABCDEFGHKLMNPSTUVXYZ';

/** A valid plate of the given category: '30A-123.45' style for cars, '29-B1 123.45' for motorbikes. */
export function syntheticPlate(rng: Rng, category: 'car' | 'motorbike'): { plate: string; plateKey: string } {
  const province = pick(rng, PROVINCES);
  const number = digits(rng, 5);
  const text = category === 'car'
    ? `${province}${pick(rng, [...CAR_SERIES])}-${number.slice(0, 3)}.${number.slice(3)}`
    : `${province}-${pick(rng, [...BIKE_SERIES])}${int(rng, 1, 9)} ${number.slice(0, 3)}.${number.slice(3)}`;
  const parsed = parseRegistryPlate(text, category === 'car' ? 'car' : 'motorbike');
  if ('problem' in parsed) throw new Error(`synthetic plate generator produced an invalid plate: ${parsed.problem}`);
  return parsed;
}

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý'];
const MIDDLE = ['Văn', 'Thị', 'Hữu', 'Đức', 'Minh', 'Thanh', 'Ngọc', 'Quốc', 'Thu', 'Hoài'];
const GIVEN = ['An', 'Bình', 'Châu', 'Dũng', 'Giang', 'Hà', 'Hải', 'Hạnh', 'Hùng', 'Hương', 'Khánh', 'Lan', 'Linh', 'Long', 'Mai', 'Nam', 'Phong', 'Phương', 'Quân', 'Sơn', 'Tâm', 'Thảo', 'Trang', 'Tuấn', 'Việt', 'Yến'];
// two-level addresses (xã/phường, then one of the 34 provinces) as in force since 1/7/2025
const PLACES = [
  { province: 'Thành phố Hà Nội', streets: ['Phố Huế, Phường Hai Bà Trưng', 'Đường Cầu Giấy, Phường Cầu Giấy', 'Đường Nguyễn Trãi, Phường Thanh Xuân', 'Đường Láng Hạ, Phường Đống Đa'] },
  { province: 'Thành phố Hồ Chí Minh', streets: ['Đường Lê Lợi, Phường Sài Gòn', 'Đường Lê Thánh Tôn, Phường Bến Thành'] },
  { province: 'Thành phố Hải Phòng', streets: ['Đường Lạch Tray, Phường Ngô Quyền', 'Đường Trần Nguyên Hãn, Phường Lê Chân'] },
  { province: 'Thành phố Đà Nẵng', streets: ['Đường Nguyễn Văn Linh, Phường Hải Châu', 'Đường Ngô Quyền, Phường Sơn Trà'] },
  { province: 'Tỉnh Bắc Ninh', streets: ['Thôn Bảo Lộc, Xã Lạng Giang', 'Đường Xương Giang, Phường Bắc Giang'] },
];

export function syntheticOwner(rng: Rng): OwnerInput {
  const place = pick(rng, PLACES);
  return {
    kind: 'person',
    nationalId: syntheticNationalId(rng),
    fullName: `${pick(rng, FAMILY)} ${pick(rng, MIDDLE)} ${pick(rng, GIVEN)}`,
    address: `Số ${int(rng, 1, 300)} ${pick(rng, place.streets)}`,
    province: place.province,
    phone: `09${digits(rng, 8)}`,
    email: null,
  };
}

const MAKES: Record<'car' | 'motorbike', Array<[string, string]>> = {
  car: [['Toyota', 'Vios'], ['Hyundai', 'Accent'], ['Kia', 'Morning'], ['Mazda', 'CX-5'], ['VinFast', 'VF 8'], ['Ford', 'Ranger']],
  motorbike: [['Honda', 'Wave Alpha'], ['Honda', 'Vision'], ['Yamaha', 'Exciter'], ['Yamaha', 'Sirius'], ['Suzuki', 'Raider']],
};

export function syntheticVehicle(rng: Rng, vehicleType: VehicleType = rng() < 0.3 ? 'car' : 'motorbike'): VehicleInput {
  const category = categoryOfVehicleType(vehicleType);
  const [make, model] = pick(rng, MAKES[category]);
  const colour: PlateColour = vehicleType === 'truck' || vehicleType === 'bus' ? 'yellow' : rng() < 0.95 ? 'white' : 'yellow';
  const year = int(rng, 2012, 2024);
  return {
    ...syntheticPlate(rng, category),
    plateColour: colour,
    vehicleType,
    make,
    model,
    colour: pick(rng, ['trắng', 'đen', 'đỏ', 'xanh', 'bạc']),
    registeredAt: `${year}-${String(int(rng, 1, 12)).padStart(2, '0')}-${String(int(rng, 1, 28)).padStart(2, '0')}`,
  };
}
