export const VEHICLE_TYPES = ['car', 'truck', 'bus', 'motorbike', 'moped', 'electric_motorbike'] as const;
export type VehicleType = (typeof VEHICLE_TYPES)[number];
export const PLATE_COLOURS = ['white', 'yellow', 'blue', 'red', 'white_red'] as const;
export type PlateColour = (typeof PLATE_COLOURS)[number];
export type OwnershipBasis = 'registration' | 'sale_unregistered';

/** Fine category of Decree 168: cars (Điều 6) or motorbikes (Điều 7). */
export type VehicleCategory = 'car' | 'motorbike';

export function categoryOfVehicleType(type: VehicleType): VehicleCategory {
  return type === 'motorbike' || type === 'moped' || type === 'electric_motorbike' ? 'motorbike' : 'car';
}

export type OwnerInput =
  | { kind: 'person'; nationalId: string; fullName: string; address: string; province: string; phone?: string | null; email?: string | null }
  | { kind: 'organisation'; taxCode: string; fullName: string; address: string; province: string; phone?: string | null; email?: string | null };

/** The identity an owner is upserted on: national ID for people, tax code for organisations. */
export function ownerIdentity(o: OwnerInput): string {
  return o.kind === 'person' ? `P:${o.nationalId}` : `O:${o.taxCode}`;
}

export interface VehicleInput {
  /** canonical plate text, e.g. '30A-123.45' or '29-B1 123.45' */
  plate: string;
  plateKey: string;
  plateColour: PlateColour;
  vehicleType: VehicleType;
  make?: string | null;
  model?: string | null;
  colour?: string | null;
  /** YYYY-MM-DD */
  registeredAt: string;
}

export interface OwnershipInput {
  vehicleId: number;
  ownerId: number;
  basis: OwnershipBasis;
  validFrom: Date;
  validTo: Date | null;
}

/** How a vehicle category is named to people, as the decree names them (Điều 6 ô tô, Điều 7 mô tô, xe máy). */
export const VEHICLE_CATEGORY_LABELS: Record<VehicleCategory, string> = { car: 'ô tô', motorbike: 'mô tô, xe máy' };

/** How a vehicle type is named to people (reports, rejects): never the internal code. */
export const VEHICLE_TYPE_LABELS: Record<VehicleType, string> = {
  car: 'ô tô', truck: 'ô tô tải', bus: 'ô tô khách', motorbike: 'mô tô', moped: 'xe gắn máy', electric_motorbike: 'xe máy điện',
};
