import type { Offence } from './fine-schedule.js';
import type { CameraRules, CaptureFacts, RuleName } from './types.js';

export type RuleResult =
  | { kind: 'violation'; rule: RuleName; offence: Offence; details: Record<string, unknown> }
  | { kind: 'none'; reason: string };

export interface RuleContext {
  /** ignore red-light crossings less than this far into red (the vehicle was already committed) */
  redLightGraceMs: number;
  /** seconds the vehicle has stood at this no-parking camera (null: not a no-parking evaluation) */
  dwellS: number | null;
}

/** Default grace for red light: the amber-to-red instant plus camera clock jitter. */
export const DEFAULT_RED_LIGHT_GRACE_MS = 500;

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

/** Applies the rule of the camera's type to one capture. Pure: no I/O. */
export function evaluateRule(capture: CaptureFacts, camera: CameraRules, ctx: RuleContext): RuleResult {
  switch (camera.cameraType) {
    case 'speed': {
      if (camera.speedLimitKmh === null) return { kind: 'none', reason: 'camera has no speed limit configured' };
      if (capture.measuredSpeedKmh === null) return { kind: 'none', reason: 'no measured speed on the capture' };
      // the measured speed counts in whole km/h rounded down, and the tolerance absorbs the radar's
      // measurement error: both in the driver's favour (80.9 km/h at a 60 limit is 20 over, not more)
      const countedSpeedKmh = Math.floor(capture.measuredSpeedKmh + 1e-9);
      const excessTenths = countedSpeedKmh * 10 - (camera.speedLimitKmh + camera.speedToleranceKmh) * 10;
      const band = speedBand(excessTenths);
      const facts = { measuredSpeedKmh: capture.measuredSpeedKmh, countedSpeedKmh, speedLimitKmh: camera.speedLimitKmh,
        toleranceKmh: camera.speedToleranceKmh, excessKmh: excessTenths / 10 };
      if (!band) return { kind: 'none', reason: `${capture.measuredSpeedKmh} km/h is less than 5 km/h over the ${camera.speedLimitKmh} km/h limit after ${camera.speedToleranceKmh} km/h tolerance` };
      return { kind: 'violation', rule: 'speeding', offence: band.offence, details: { ...facts, band: band.band } };
    }
    case 'red_light': {
      if (capture.signalPhase !== 'red') return { kind: 'none', reason: `signal was ${capture.signalPhase ?? 'not reported'}` };
      if (capture.redElapsedMs === null) return { kind: 'none', reason: 'time into red not reported: the grace period cannot be applied' };
      if (capture.redElapsedMs < ctx.redLightGraceMs) {
        return { kind: 'none', reason: `crossed ${capture.redElapsedMs} ms into red, within the ${ctx.redLightGraceMs} ms grace` };
      }
      return { kind: 'violation', rule: 'red_light', offence: 'red_light',
        details: { signalPhase: 'red', redElapsedMs: capture.redElapsedMs, graceMs: ctx.redLightGraceMs } };
    }
    case 'lane': {
      if (!camera.allowedLanes || camera.allowedLanes.length === 0) return { kind: 'none', reason: 'camera has no allowed lanes configured' };
      if (capture.lane === null) return { kind: 'none', reason: 'no lane on the capture' };
      if (camera.allowedLanes.includes(capture.lane)) return { kind: 'none', reason: `lane ${capture.lane} is allowed` };
      return { kind: 'violation', rule: 'wrong_lane', offence: 'wrong_lane', details: { lane: capture.lane, allowedLanes: camera.allowedLanes } };
    }
    case 'no_entry': {
      // the camera watches a one-way street or a prohibited road: any vehicle seen is in breach
      if (capture.direction === 'reverse') {
        return { kind: 'violation', rule: 'no_entry', offence: 'wrong_way', details: { direction: 'reverse' } };
      }
      return { kind: 'violation', rule: 'no_entry', offence: 'no_entry', details: { direction: capture.direction } };
    }
    case 'no_parking': {
      if (ctx.dwellS === null) return { kind: 'none', reason: 'no parking duration known' };
      if (ctx.dwellS < camera.noParkingDwellS) {
        return { kind: 'none', reason: `seen for ${ctx.dwellS} s, under the ${camera.noParkingDwellS} s allowed` };
      }
      return { kind: 'violation', rule: 'no_parking', offence: 'no_parking', details: { dwellS: ctx.dwellS, allowedDwellS: camera.noParkingDwellS } };
    }
  }
}
