import { withTransaction, type Pool } from '../db/pool.js';
import { createCamera, getCamera } from '../cameras/camera-registry.js';
import type { CreateCamera } from '../cameras/camera-schemas.js';
import { addOwnership, upsertOwners, upsertVehicles } from '../registry/store.js';
import { createRng, syntheticOwner, syntheticVehicle, type Rng } from '../registry/synthetic.js';
import { ownerIdentity, type OwnerInput, type VehicleInput } from '../registry/types.js';
import type { Role } from '../auth/roles.js';
import { createUser, usernameExists } from '../users/user-store.js';
import { assignCameraUnit, createUnit, findUnitByCode, type UnitInput } from '../units/units.js';
import { DAY_MS } from '../vietnam-time.js';

const SYSTEM = { id: null, username: 'seed' } as const;

/** The demo's cameras: real places in Bắc Ninh (the former Bắc Giang) and Hà Nội, at least one of each enforcement type; addresses use the units in force since 1/7/2025. */
export const DEMO_CAMERAS: CreateCamera[] = [
  { code: 'BG-QL1A-KM112', name: 'QL1A Km112 (Lạng Giang)', province: 'Tỉnh Bắc Ninh', address: 'Quốc lộ 1A, Km112, Xã Lạng Giang',
    cameraType: 'speed', speedLimitKmh: 80, speedToleranceKmh: 3, latitude: 21.3757, longitude: 106.2470 },
  { code: 'BG-HUNGVUONG-NGUYENTHIMINHKHAI', name: 'Nút Hùng Vương - Nguyễn Thị Minh Khai', province: 'Tỉnh Bắc Ninh',
    address: 'Ngã tư Hùng Vương - Nguyễn Thị Minh Khai, Phường Bắc Giang', cameraType: 'red_light', latitude: 21.2731, longitude: 106.1946 },
  { code: 'BG-XUONGGIANG-LANE', name: 'Đường Xương Giang (làn ô tô)', province: 'Tỉnh Bắc Ninh', address: 'Đường Xương Giang, Phường Bắc Giang',
    cameraType: 'lane', allowedLanes: [1, 2] },
  { code: 'HN-VANHDAI3-KHUATDUYTIEN', name: 'Vành đai 3 trên cao - Khuất Duy Tiến', province: 'Thành phố Hà Nội',
    address: 'Đường Vành đai 3 trên cao, đoạn Khuất Duy Tiến, Phường Thanh Xuân', cameraType: 'speed', speedLimitKmh: 80, speedToleranceKmh: 3,
    latitude: 20.9945, longitude: 105.7998 },
  { code: 'HN-CAUGIAY-XUANTHUY', name: 'Nút Cầu Giấy - Xuân Thủy', province: 'Thành phố Hà Nội', address: 'Ngã tư Cầu Giấy - Xuân Thủy, Phường Cầu Giấy',
    cameraType: 'red_light', latitude: 21.0368, longitude: 105.7906 },
  { code: 'HN-HANGBAI-NOENTRY', name: 'Phố Hàng Bài (cấm đi ngược chiều)', province: 'Thành phố Hà Nội', address: 'Phố Hàng Bài, Phường Cửa Nam',
    cameraType: 'wrong_way' },
  { code: 'HN-DINHTIENHOANG-NOPARK', name: 'Phố Đinh Tiên Hoàng (cấm đỗ)', province: 'Thành phố Hà Nội', address: 'Phố Đinh Tiên Hoàng, Phường Hoàn Kiếm',
    cameraType: 'no_parking', noParkingDwellS: 300 },
  { code: 'HN-TRANGTIEN-NOSTOP', name: 'Phố Tràng Tiền (cấm dừng và đỗ xe)', province: 'Thành phố Hà Nội', address: 'Phố Tràng Tiền, Phường Hoàn Kiếm',
    cameraType: 'no_stopping', stopDwellS: 60, noParkingDwellS: 300 },
  { code: 'HN-TRANHUNGDAO-NOTRUCK', name: 'Phố Trần Hưng Đạo (cấm xe tải 6h-9h, 16h-20h)', province: 'Thành phố Hà Nội',
    address: 'Phố Trần Hưng Đạo, Phường Cửa Nam', cameraType: 'no_entry', noEntryVehicleTypes: ['truck'],
    noEntryHours: [{ from: '06:00', to: '09:00' }, { from: '16:00', to: '20:00' }] },
  { code: 'HN-KIMMA-LIEUGIAI-AI', name: 'Nút Kim Mã - Liễu Giai (camera phân tích sự kiện)', province: 'Thành phố Hà Nội',
    address: 'Ngã tư Kim Mã - Liễu Giai, Phường Ngọc Hà', cameraType: 'analytics' },
];

/**
 * The demo's handling units: each province's traffic police (detecting unit of its cameras) and a few
 * commune/ward police units cases can be forwarded to. Addresses and phones are demo values.
 */
export const DEMO_UNITS: Array<UnitInput & { cameraPrefix?: string }> = [
  { code: 'PC08BN', kind: 'traffic_police', name: 'Phòng Cảnh sát giao thông', parentName: 'CÔNG AN TỈNH BẮC NINH',
    address: 'Đường Lý Thái Tổ, Phường Kinh Bắc, Tỉnh Bắc Ninh', phone: '02220000008', commune: null, province: 'Tỉnh Bắc Ninh', cameraPrefix: 'BG-' },
  { code: 'PC08HN', kind: 'traffic_police', name: 'Phòng Cảnh sát giao thông', parentName: 'CÔNG AN THÀNH PHỐ HÀ NỘI',
    address: 'Số 86 Lê Thánh Tông, Phường Cửa Nam, Thành phố Hà Nội', phone: '02400000008', commune: null, province: 'Thành phố Hà Nội', cameraPrefix: 'HN-' },
  { code: 'CAXLANGGIANG', kind: 'commune_police', name: 'Công an xã Lạng Giang', parentName: 'CÔNG AN TỈNH BẮC NINH',
    address: 'Xã Lạng Giang, Tỉnh Bắc Ninh', phone: '02220000101', commune: 'Xã Lạng Giang', province: 'Tỉnh Bắc Ninh' },
  { code: 'CAPBACGIANG', kind: 'commune_police', name: 'Công an phường Bắc Giang', parentName: 'CÔNG AN TỈNH BẮC NINH',
    address: 'Phường Bắc Giang, Tỉnh Bắc Ninh', phone: '02220000102', commune: 'Phường Bắc Giang', province: 'Tỉnh Bắc Ninh' },
  { code: 'CAPCAUGIAY', kind: 'commune_police', name: 'Công an phường Cầu Giấy', parentName: 'CÔNG AN THÀNH PHỐ HÀ NỘI',
    address: 'Phường Cầu Giấy, Thành phố Hà Nội', phone: '02400000103', commune: 'Phường Cầu Giấy', province: 'Thành phố Hà Nội' },
];

export const DEMO_USERS: Array<{ username: string; fullName: string; role: Role }> = [
  { username: 'admin', fullName: 'Quản trị hệ thống', role: 'admin' },
  { username: 'canbo1', fullName: 'Trung úy Nguyễn Văn Hùng', role: 'officer' },
  { username: 'canbo2', fullName: 'Thượng úy Trần Thị Lan', role: 'officer' },
  { username: 'vanhanh', fullName: 'Kỹ thuật viên Lê Minh Đức', role: 'operator' },
  { username: 'ketoan', fullName: 'Kế toán Phạm Thu Hà', role: 'finance' },
];

export interface SeedOptions {
  owners: number;
  /** password of every demo user; printed by the CLI */
  password: string;
  seed: number;
  log?: (message: string) => void;
}

export interface SeedResult {
  camerasCreated: Array<{ code: string; apiKey: string }>;
  usersCreated: string[];
  owners: number;
  vehicles: number;
  ownerships: { created: number; unchanged: number };
}

/**
 * Loads the demo. Idempotent: the generator is deterministic, so a second run finds the same
 * owners, vehicles and ownership periods and changes nothing; existing cameras and users are kept.
 */
export async function seedDemo(pool: Pool, opts: SeedOptions): Promise<SeedResult> {
  const log = opts.log ?? (() => undefined);
  const result: SeedResult = { camerasCreated: [], usersCreated: [], owners: 0, vehicles: 0, ownerships: { created: 0, unchanged: 0 } };

  for (const user of DEMO_USERS) {
    if (await usernameExists(pool, user.username)) continue;
    await withTransaction(pool, (tx) => createUser(tx, { ...user, password: opts.password }, SYSTEM));
    result.usersCreated.push(user.username);
  }

  for (const camera of DEMO_CAMERAS) {
    if (await getCamera(pool, camera.code)) continue;
    const { apiKey } = await createCamera(pool, camera, SYSTEM);
    result.camerasCreated.push({ code: camera.code, apiKey });
  }

  for (const { cameraPrefix, ...unit } of DEMO_UNITS) {
    await withTransaction(pool, async (tx) => {
      if (!(await findUnitByCode(tx, unit.code))) await createUnit(tx, unit, SYSTEM);
      if (!cameraPrefix) return;
      for (const camera of DEMO_CAMERAS.filter((c) => c.code.startsWith(cameraPrefix))) {
        const { rows } = await tx.query('SELECT 1 FROM cameras WHERE code = $1 AND detecting_unit_id IS NULL', [camera.code]);
        if (rows.length) await assignCameraUnit(tx, camera.code, unit.code, SYSTEM);
      }
    });
  }

  const rng = createRng(opts.seed);
  const registry = syntheticRegistry(rng, opts.owners);
  await withTransaction(pool, async (tx) => {
    const ownerIds = await upsertOwners(tx, registry.owners);
    const vehicleIds = await upsertVehicles(tx, registry.vehicles.map((v) => v.vehicle));
    result.owners = ownerIds.size;
    result.vehicles = vehicleIds.size;
    let done = 0;
    for (const { vehicle, periods } of registry.vehicles) {
      for (const period of periods) {
        const { outcome } = await addOwnership(tx, {
          vehicleId: vehicleIds.get(vehicle.plateKey)!,
          ownerId: ownerIds.get(ownerIdentity(period.owner))!,
          basis: period.basis,
          validFrom: period.from,
          validTo: period.to,
        });
        if (outcome === 'unchanged') result.ownerships.unchanged++;
        else result.ownerships.created++;
      }
      if (++done % 1000 === 0) log(`  ownerships: ${done}/${registry.vehicles.length} vehicles`);
    }
  });
  return result;
}

interface SeedVehicle {
  vehicle: VehicleInput;
  periods: Array<{ owner: OwnerInput; basis: 'registration' | 'sale_unregistered'; from: Date; to: Date | null }>;
}

/**
 * A registry with the shapes real data has: most people own one vehicle, some two; transport
 * companies own trucks and buses on yellow plates; a few vehicles were sold, some to buyers who
 * have not re-registered (they answer for fines all the same).
 */
function syntheticRegistry(rng: Rng, ownerCount: number): { owners: OwnerInput[]; vehicles: SeedVehicle[] } {
  const people = Array.from({ length: ownerCount }, () => syntheticOwner(rng));
  const companies: OwnerInput[] = Array.from({ length: Math.max(1, Math.round(ownerCount / 100)) }, (_, i) => ({
    kind: 'organisation',
    taxCode: `24${String(Math.floor(rng() * 1e8)).padStart(8, '0')}`,
    fullName: `Công ty TNHH Vận tải ${['Bắc Giang', 'Kinh Bắc', 'Thăng Long', 'Hồng Hà', 'Sông Thương'][i % 5]} ${i + 1}`,
    address: `Khu công nghiệp Đình Trám, Việt Yên, Bắc Giang`,
    province: 'Bắc Giang',
    phone: `0204${String(Math.floor(rng() * 1e6)).padStart(6, '0')}`,
    email: null,
  }));
  const seen = new Set<string>();
  const vehicles: SeedVehicle[] = [];
  const addVehicle = (owner: OwnerInput, vehicle: VehicleInput) => {
    if (seen.has(vehicle.plateKey)) return;
    seen.add(vehicle.plateKey);
    const registered = new Date(`${vehicle.registeredAt}T00:00:00+07:00`);
    const roll = rng();
    if (roll < 0.05 && people.length > 1) {
      // sold: the seller's period ends at the sale, the buyer's begins
      const buyer = people[Math.floor(rng() * people.length)]!;
      const sold = new Date(registered.getTime() + (30 + Math.floor(rng() * 700)) * DAY_MS);
      const reRegistered = roll < 0.03;
      vehicles.push({ vehicle, periods: [
        { owner, basis: 'registration', from: registered, to: sold },
        { owner: buyer, basis: reRegistered ? 'registration' : 'sale_unregistered', from: sold, to: null },
      ] });
      return;
    }
    vehicles.push({ vehicle, periods: [{ owner, basis: 'registration', from: registered, to: null }] });
  };
  for (const person of people) {
    addVehicle(person, syntheticVehicle(rng));
    if (rng() < 0.15) addVehicle(person, syntheticVehicle(rng));
  }
  for (const company of companies) {
    for (let i = 0; i < 5; i++) addVehicle(company, syntheticVehicle(rng, rng() < 0.7 ? 'truck' : 'bus'));
  }
  return { owners: [...people, ...companies], vehicles };
}
