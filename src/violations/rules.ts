import { categoryOfVehicleType, VEHICLE_TYPES } from '../registry/types.js';
import { ruleOfEvent } from './analytics-events.js';
import type { Offence } from './fine-schedule.js';
import { activeWindow, vietnamClock } from './sign-hours.js';
import type { CameraRules, CaptureFacts, RuleName, VehicleKind } from './types.js';

export type RuleResult =
  | { kind: 'violation'; rule: RuleName; offence: Offence; details: Record<string, unknown> }
  | { kind: 'none'; reason: string };

export interface RuleContext {
  /** seconds the vehicle has stood in view of this standing camera (null: not a standing evaluation) */
  dwellS: number | null;
  /** the vehicle's kind, for the rules that depend on it (no entry, lanes per category); null when not looked up */
  vehicle: VehicleKind | null;
}

/** Whether the camera's rule depends on the kind of vehicle, so the registry must be consulted first. */
export function ruleNeedsVehicle(camera: CameraRules): boolean {
  return camera.cameraType === 'no_entry' || (camera.cameraType === 'lane' && camera.allowedLanesByCategory !== null);
}

/** Whether the camera judges vehicles by how long they stand (sightings must be recorded). */
export function isStandingCamera(camera: CameraRules): boolean {
  return camera.cameraType === 'no_parking' || camera.cameraType === 'no_stopping';
}

export type SpeedBand = '5-10' | '10-20' | '20-35' | '>35';

/**
 * Decree 168 speeding bands by excess over the limit: [5, 10), [10, 20], (20, 35], above 35.
 * Works in tenths of km/h so 9.9 and 10.0 never blur through floating point.
 */
export function speedBand(excessTenths: number): { band: SpeedBand; offence: Offence } | null {
  if (excessTenths < 50) return null;
  if (excessTenths < 100) return { band: '5-10', offence: 'speeding_5_10' };
  if (excessTenths <= 200) return { band: '10-20', offence: 'speeding_10_20' };
  if (excessTenths <= 350) return { band: '20-35', offence: 'speeding_20_35' };
  return { band: '>35', offence: 'speeding_over_35' };
}

const none = (reason: string): RuleResult => ({ kind: 'none', reason });

/** Applies the rule of the camera's type to one capture. Pure: no I/O. */
export function evaluateRule(capture: CaptureFacts, camera: CameraRules, ctx: RuleContext): RuleResult {
  switch (camera.cameraType) {
    case 'speed': {
      if (camera.speedLimitKmh === null) return none('camera has no speed limit configured');
      if (capture.measuredSpeedKmh === null) return none('no measured speed on the capture');
      // the measured speed counts in whole km/h rounded down, and the tolerance absorbs the radar's
      // measurement error: both in the driver's favour (80.9 km/h at a 60 limit is 20 over, not more)
      const countedSpeedKmh = Math.floor(capture.measuredSpeedKmh + 1e-9);
      const excessTenths = countedSpeedKmh * 10 - (camera.speedLimitKmh + camera.speedToleranceKmh) * 10;
      const band = speedBand(excessTenths);
      const facts = { measuredSpeedKmh: capture.measuredSpeedKmh, countedSpeedKmh, speedLimitKmh: camera.speedLimitKmh,
        toleranceKmh: camera.speedToleranceKmh, excessKmh: excessTenths / 10 };
      if (!band) return none(`${capture.measuredSpeedKmh} km/h is less than 5 km/h over the ${camera.speedLimitKmh} km/h limit after ${camera.speedToleranceKmh} km/h tolerance`);
      return { kind: 'violation', rule: 'speeding', offence: band.offence, details: { ...facts, band: band.band } };
    }
    case 'red_light':
      return signalRule(capture, camera);
    case 'lane':
      return laneRule(capture, camera, ctx.vehicle);
    case 'no_entry':
      return noEntryRule(capture, camera, ctx.vehicle);
    case 'wrong_way': {
      // a one-way street or a "Cấm đi ngược chiều" sign: the camera faces the permitted flow
      if (capture.direction === 'reverse') {
        return { kind: 'violation', rule: 'wrong_way', offence: 'wrong_way', details: { direction: 'reverse' } };
      }
      return none(capture.direction === 'forward' ? 'travelling in the permitted direction' : 'no direction on the capture');
    }
    case 'no_parking':
    case 'no_stopping':
      return standingRule(camera, ctx.dwellS);
    case 'analytics': {
      // the camera's own analytics decided the event; ingest checked it is one we know, with a subject where one is needed
      if (!capture.event) return none('no analytics event on the capture');
      const rule = ruleOfEvent(capture.event, capture.eventSubject ?? null);
      // the decree prices a solid-line lane change on an expressway under a clause of its own (6.5.g)
      const onExpressway = rule === 'solid_line' && camera.expressway === true;
      return { kind: 'violation', rule, offence: onExpressway ? 'solid_line_expressway' : rule,
        details: { event: capture.event, ...(capture.eventSubject ? { eventSubject: capture.eventSubject } : {}), ...(onExpressway ? { expressway: true } : {}) } };
    }
  }
}

/**
 * Luật 36/2024 Điều 11: red means stop; amber means stop before the stop line unless the vehicle is
 * already past it. The camera reports the phase when the vehicle crossed the line, so a vehicle
 * crossing on amber was still before the line when the light turned, except within the camera's
 * timing tolerance of the change (it was at the line).
 */
function signalRule(capture: CaptureFacts, camera: CameraRules): RuleResult {
  if (capture.signalPhase === 'red') {
    return { kind: 'violation', rule: 'red_light', offence: 'red_light', details: { signalPhase: 'red', redElapsedMs: capture.redElapsedMs } };
  }
  if (capture.signalPhase === 'amber') {
    if (capture.amberElapsedMs === null) return none('time since the light turned amber not reported: cannot tell whether the vehicle was already at the stop line');
    if (capture.amberElapsedMs < camera.amberToleranceMs) {
      return none(`crossed the stop line ${capture.amberElapsedMs} ms after amber, within the ${camera.amberToleranceMs} ms tolerance: at the line when the light turned`);
    }
    return { kind: 'violation', rule: 'red_light', offence: 'red_light',
      details: { signalPhase: 'amber', amberElapsedMs: capture.amberElapsedMs, amberToleranceMs: camera.amberToleranceMs } };
  }
  return none(`signal was ${capture.signalPhase ?? 'not reported'}`);
}

function laneRule(capture: CaptureFacts, camera: CameraRules, vehicle: VehicleKind | null): RuleResult {
  if (capture.lane === null) return none('no lane on the capture');
  const ownList = vehicle ? camera.allowedLanesByCategory?.[vehicle.category] : undefined;
  const allowed = ownList ?? camera.allowedLanes;
  if (!allowed || allowed.length === 0) {
    return none(vehicle ? `camera has no allowed lanes configured for a ${vehicle.category}` : 'camera has no allowed lanes configured');
  }
  if (allowed.includes(capture.lane)) return none(`lane ${capture.lane} is allowed`);
  return { kind: 'violation', rule: 'wrong_lane', offence: 'wrong_lane',
    details: { lane: capture.lane, allowedLanes: allowed, ...(ownList ? { lanesFor: vehicle!.category } : {}) } };
}

/**
 * Decree 168 6.5.i / 7.6.b fine entering a road whose sign bans "the kind of vehicle being driven":
 * only the kinds and hours on the sign. A vehicle not in the registry is judged by its plate's
 * category only when the sign bans every kind of that category (a car plate does not say truck).
 */
function noEntryRule(capture: CaptureFacts, camera: CameraRules, vehicle: VehicleKind | null): RuleResult {
  const banned = camera.noEntryVehicleTypes;
  if (banned.length === 0) return none('camera has no banned vehicle kinds configured');
  if (capture.direction === 'reverse') return none('leaving the road the sign closes, not entering it');
  const clock = vietnamClock(capture.capturedAt);
  const window = camera.noEntryHours.length === 0 ? null : activeWindow(camera.noEntryHours, capture.capturedAt);
  if (camera.noEntryHours.length > 0 && !window) {
    return none(`entered at ${clock}, outside the hours of the sign (${camera.noEntryHours.map((w) => `${w.from}-${w.to}`).join(', ')})`);
  }
  if (!vehicle) return none('vehicle kind unknown');
  const facts = { bannedVehicleTypes: banned, banHours: window ? `${window.from}-${window.to}` : 'all day', localTime: clock, direction: capture.direction };
  if (vehicle.type !== null) {
    if (!banned.includes(vehicle.type)) return none(`the sign does not ban a ${vehicle.type}`);
    return { kind: 'violation', rule: 'no_entry', offence: 'no_entry', details: { ...facts, vehicleType: vehicle.type } };
  }
  const ofCategory = VEHICLE_TYPES.filter((t) => categoryOfVehicleType(t) === vehicle.category);
  const bannedOfCategory = ofCategory.filter((t) => banned.includes(t));
  if (bannedOfCategory.length === 0) return none(`the sign bans no ${vehicle.category}-category vehicle`);
  if (bannedOfCategory.length < ofCategory.length) {
    return none(`unregistered ${vehicle.category}-category vehicle and the sign bans only ${bannedOfCategory.join(', ')}: the plate does not tell which kind it is`);
  }
  return { kind: 'violation', rule: 'no_entry', offence: 'no_entry', details: { ...facts, vehicleType: null } };
}

/**
 * Luật 36: stopping is standing still for the time needed (passengers, goods), parking is standing
 * without limit. The law gives no seconds, so each camera sets both thresholds. "Cấm đỗ xe" allows
 * stopping; "Cấm dừng xe và đỗ xe" bans both, and a stay long enough to be parking is fined as parking.
 */
function standingRule(camera: CameraRules, dwellS: number | null): RuleResult {
  if (dwellS === null) return none('no standing time known');
  const sign = camera.cameraType === 'no_stopping' ? 'no_stopping' : 'no_parking';
  const facts = { dwellS, sign, stopDwellS: sign === 'no_stopping' ? camera.stopDwellS : null, allowedDwellS: camera.noParkingDwellS };
  if (dwellS >= camera.noParkingDwellS) return { kind: 'violation', rule: 'no_parking', offence: 'no_parking', details: facts };
  if (sign === 'no_stopping' && dwellS >= camera.stopDwellS) {
    return { kind: 'violation', rule: 'no_stopping', offence: 'no_stopping', details: facts };
  }
  const threshold = sign === 'no_stopping' ? camera.stopDwellS : camera.noParkingDwellS;
  return none(`seen for ${dwellS} s, under the ${threshold} s that count as ${sign === 'no_stopping' ? 'stopping' : 'parking'}`);
}
