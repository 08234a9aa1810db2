import type { Queryable } from '../db/pool.js';
import { findVehicleByKey, findVehiclesNearSkeleton, ownersAt, type RegisteredVehicle } from '../registry/lookup.js';
import { categoryOfVehicleType, type VehicleType } from '../registry/types.js';
import { normalisePlate, plateKey } from '../vision/plate-grammar.js';
import { plateDistance, skeleton, skeletonNeighbours } from './confusion.js';

export type MatchStatus = 'exact' | 'fuzzy' | 'ambiguous' | 'unknown' | 'foreign';

export interface MatchCandidate {
  plate: string;
  plateKey: string;
  vehicleId: number;
  ownerId: number | null;
  /** 1 for an exact key, falling with the weighted distance */
  score: number;
  distance: number;
  vehicleType: VehicleType;
  plateColour: string;
}

export interface MatchResult {
  status: MatchStatus;
  vehicleId: number | null;
  ownerId: number | null;
  candidates: MatchCandidate[];
  suspectedClone: boolean;
  cloneReason: string | null;
  /** the matched vehicle's registered type (null when no vehicle was chosen) */
  vehicleType: VehicleType | null;
  /** the key the registry was searched with (after position-based repair for 'vn') */
  searchedKey: string;
}

export interface MatchInput {
  plateText: string;
  profile: 'vn' | 'generic';
  /** plate colour the camera saw; 'unknown' disables the colour check */
  observedColour: string;
  /** layout the camera saw; a registered motorbike read from a one-line plate is suspicious */
  observedLayout?: 'one-line' | 'two-line';
  at: Date;
}

/** Up to two look-alike swaps ("3O8" for "308"): close enough to name a vehicle, never to fine it unseen. */
export const FUZZY_MAX_DISTANCE = 0.6;
/** One wrong glyph: shown to the officer as a possibility, never chosen. */
export const CANDIDATE_MAX_DISTANCE = 1;
/** More look-alike repairs than this and the text was not a Vietnamese plate to begin with. */
const MAX_GRAMMAR_REPAIRS = 2;
// (a read whose whole province code is letters is not a VN plate either, even with two repairs)

/**
 * Finds the registered vehicle and its owner at `at` for a read plate. Only an exact key match
 * is a match; confusion-aware neighbours are returned as candidates (one close candidate:
 * 'fuzzy' with that vehicle named, several: 'ambiguous'), so nothing fuzzy is ever silent.
 */
export async function matchPlate(db: Queryable, input: MatchInput): Promise<MatchResult> {
  const readKey = plateKey(input.plateText);
  const none = (status: MatchStatus, searchedKey: string, candidates: MatchCandidate[] = []): MatchResult => ({
    status, vehicleId: null, ownerId: null, candidates, suspectedClone: false, cloneReason: null, vehicleType: null, searchedKey,
  });
  if (input.profile === 'generic') return none('foreign', readKey);
  const n = normalisePlate(input.plateText, 'vn', input.observedLayout ? { layout: input.observedLayout } : {});
  if (!n.valid || n.key.length !== readKey.length || repairs(readKey, n.key) > MAX_GRAMMAR_REPAIRS || !/\d/.test(readKey.slice(0, 2))) {
    return none('foreign', readKey);
  }
  const key = n.key;

  const exact = await findVehicleByKey(db, key);
  if (exact) {
    const owner = (await ownersAt(db, [exact.id], input.at)).get(exact.id);
    const [candidate] = toCandidates([exact], key, new Map(owner ? [[exact.id, owner]] : []));
    return { status: 'exact', vehicleId: exact.id, ownerId: owner?.ownerId ?? null, candidates: [candidate!],
      ...clone(exact, input), vehicleType: exact.vehicleType, searchedKey: key };
  }

  const sk = skeleton(key);
  const oneEditAway = new Set(skeletonNeighbours(sk));
  const near = (await findVehiclesNearSkeleton(db, sk, (s) => oneEditAway.has(s)))
    .filter((v) => plateDistance(key, v.plateKey) <= CANDIDATE_MAX_DISTANCE);
  const owners = await ownersAt(db, near.map((v) => v.id), input.at);
  const candidates = toCandidates(near, key, owners);
  const close = candidates.filter((c) => c.distance <= FUZZY_MAX_DISTANCE);
  if (close.length === 1) {
    const top = close[0]!;
    const vehicle = near.find((v) => v.id === top.vehicleId)!;
    return { status: 'fuzzy', vehicleId: top.vehicleId, ownerId: top.ownerId, candidates, ...clone(vehicle, input),
      vehicleType: vehicle.vehicleType, searchedKey: key };
  }
  return none(close.length > 1 ? 'ambiguous' : 'unknown', key, candidates);
}

function repairs(a: string, b: string): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

function toCandidates(vehicles: RegisteredVehicle[], key: string, owners: Map<number, { ownerId: number }>): MatchCandidate[] {
  return vehicles
    .map((v) => {
      const distance = plateDistance(key, v.plateKey);
      return { plate: v.plate, plateKey: v.plateKey, vehicleId: v.id, ownerId: owners.get(v.id)?.ownerId ?? null,
        score: Math.round(Math.max(0, 1 - distance / 2) * 1000) / 1000, distance, vehicleType: v.vehicleType, plateColour: v.plateColour };
    })
    .sort((a, b) => a.distance - b.distance || a.plateKey.localeCompare(b.plateKey))
    .slice(0, 10);
}

/** A plate seen on the wrong kind of plate or vehicle may be a copy fitted to another vehicle. */
function clone(vehicle: RegisteredVehicle, input: MatchInput): { suspectedClone: boolean; cloneReason: string | null } {
  const reasons: string[] = [];
  if (input.observedColour !== 'unknown' && input.observedColour !== vehicle.plateColour) {
    reasons.push(`plate colour seen ${input.observedColour}, registered ${vehicle.plateColour}`);
  }
  // motorbike plates are always two-line; a one-line plate is on a car
  if (input.observedLayout === 'one-line' && categoryOfVehicleType(vehicle.vehicleType) === 'motorbike') {
    reasons.push(`registered as a ${vehicle.vehicleType} but the camera saw a one-line (car) plate`);
  }
  return { suspectedClone: reasons.length > 0, cloneReason: reasons.length > 0 ? reasons.join('; ') : null };
}
