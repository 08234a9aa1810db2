import { describe, expect, it } from 'vitest';
import { evaluateRule, type RuleContext } from '../../src/violations/rules.js';
import type { CameraRules, CaptureFacts } from '../../src/violations/types.js';

const capture = (over: Partial<CaptureFacts> = {}): CaptureFacts => ({
  captureId: 1, capturedAt: new Date('2025-06-01T08:00:00+07:00'), measuredSpeedKmh: null, signalPhase: null,
  redElapsedMs: null, lane: null, direction: null, ...over,
});
const camera = (over: Partial<CameraRules>): CameraRules => ({
  id: 1, code: 'CAM-1', cameraType: 'speed', speedLimitKmh: 60, speedToleranceKmh: 0, allowedLanes: null,
  dedupWindowS: 300, noParkingDwellS: 300, plateProfile: 'vn', ...over,
});
const ctx: RuleContext = { redLightGraceMs: 500, dwellS: null };
const offenceAt = (speed: number, cam: Partial<CameraRules> = {}) => {
  const r = evaluateRule(capture({ measuredSpeedKmh: speed }), camera(cam), ctx);
  return r.kind === 'violation' ? r.offence : null;
};

describe('speeding rule (limit 60 km/h)', () => {
  it.each([
    [64.9, null], [65.0, 'speeding_5_10'], [69.9, 'speeding_5_10'], [70.0, 'speeding_10_20'], [80.0, 'speeding_10_20'],
    // measured speeds count rounded down to whole km/h, in the driver's favour
    [80.9, 'speeding_10_20'], [81.0, 'speeding_20_35'], [95.0, 'speeding_20_35'], [95.9, 'speeding_20_35'], [96.0, 'speeding_over_35'],
    [180, 'speeding_over_35'],
  ])('%s km/h is %s', (speed, offence) => {
    expect(offenceAt(speed)).toBe(offence);
  });

  it('subtracts the camera tolerance before banding (limit 60, tolerance 3)', () => {
    expect(offenceAt(67.9, { speedToleranceKmh: 3 })).toBeNull();
    expect(offenceAt(68.0, { speedToleranceKmh: 3 })).toBe('speeding_5_10');
    expect(offenceAt(72.9, { speedToleranceKmh: 3 })).toBe('speeding_5_10');
    expect(offenceAt(73.0, { speedToleranceKmh: 3 })).toBe('speeding_10_20');
  });

  it('records the measured speed, the speed counted (rounded down), limit, tolerance, excess and band', () => {
    const r = evaluateRule(capture({ measuredSpeedKmh: 57.5 }), camera({ speedLimitKmh: 40, speedToleranceKmh: 2 }), ctx);
    expect(r).toEqual({ kind: 'violation', rule: 'speeding', offence: 'speeding_10_20',
      details: { measuredSpeedKmh: 57.5, countedSpeedKmh: 57, speedLimitKmh: 40, toleranceKmh: 2, excessKmh: 15, band: '10-20' } });
  });

  it('does nothing without a measured speed or a configured limit', () => {
    expect(evaluateRule(capture(), camera({}), ctx)).toMatchObject({ kind: 'none', reason: expect.stringContaining('no measured speed') });
    expect(evaluateRule(capture({ measuredSpeedKmh: 120 }), camera({ speedLimitKmh: null }), ctx).kind).toBe('none');
  });
});

describe('red-light rule', () => {
  const red = camera({ cameraType: 'red_light', speedLimitKmh: null });
  it('fines a crossing at or beyond the grace into red', () => {
    expect(evaluateRule(capture({ signalPhase: 'red', redElapsedMs: 500 }), red, ctx)).toEqual({
      kind: 'violation', rule: 'red_light', offence: 'red_light', details: { signalPhase: 'red', redElapsedMs: 500, graceMs: 500 } });
  });
  it('ignores a crossing within the grace, on amber or green, or without a reported time into red', () => {
    expect(evaluateRule(capture({ signalPhase: 'red', redElapsedMs: 499 }), red, ctx).kind).toBe('none');
    expect(evaluateRule(capture({ signalPhase: 'amber', redElapsedMs: null }), red, ctx).kind).toBe('none');
    expect(evaluateRule(capture({ signalPhase: 'green' }), red, ctx).kind).toBe('none');
    expect(evaluateRule(capture({ signalPhase: 'red', redElapsedMs: null }), red, ctx).kind).toBe('none');
  });
  it('uses the configured grace', () => {
    expect(evaluateRule(capture({ signalPhase: 'red', redElapsedMs: 100 }), red, { ...ctx, redLightGraceMs: 0 }).kind).toBe('violation');
  });
});

describe('wrong-lane rule', () => {
  const lane = camera({ cameraType: 'lane', speedLimitKmh: null, allowedLanes: [1, 2] });
  it('fines a vehicle in a lane the camera does not allow', () => {
    expect(evaluateRule(capture({ lane: 3 }), lane, ctx)).toEqual({ kind: 'violation', rule: 'wrong_lane', offence: 'wrong_lane', details: { lane: 3, allowedLanes: [1, 2] } });
  });
  it('lets allowed lanes pass, and does nothing without a lane or a lane configuration', () => {
    expect(evaluateRule(capture({ lane: 2 }), lane, ctx).kind).toBe('none');
    expect(evaluateRule(capture({ lane: null }), lane, ctx).kind).toBe('none');
    expect(evaluateRule(capture({ lane: 3 }), { ...lane, allowedLanes: null }, ctx)).toMatchObject({ kind: 'none', reason: expect.stringContaining('no allowed lanes') });
  });
});

describe('no-entry rule', () => {
  const noEntry = camera({ cameraType: 'no_entry', speedLimitKmh: null });
  it('fines any vehicle entering, and a vehicle going the wrong way as wrong-way', () => {
    expect(evaluateRule(capture({ direction: 'forward' }), noEntry, ctx)).toMatchObject({ kind: 'violation', rule: 'no_entry', offence: 'no_entry' });
    expect(evaluateRule(capture({ direction: null }), noEntry, ctx)).toMatchObject({ kind: 'violation', offence: 'no_entry' });
    expect(evaluateRule(capture({ direction: 'reverse' }), noEntry, ctx)).toMatchObject({ kind: 'violation', rule: 'no_entry', offence: 'wrong_way' });
  });
});

describe('no-parking rule', () => {
  const park = camera({ cameraType: 'no_parking', speedLimitKmh: null, noParkingDwellS: 300 });
  it('fines a vehicle that has stood at least the allowed dwell, not one second less', () => {
    expect(evaluateRule(capture(), park, { ...ctx, dwellS: 300 })).toEqual({ kind: 'violation', rule: 'no_parking', offence: 'no_parking', details: { dwellS: 300, allowedDwellS: 300 } });
    expect(evaluateRule(capture(), park, { ...ctx, dwellS: 299 }).kind).toBe('none');
    expect(evaluateRule(capture(), park, { ...ctx, dwellS: null }).kind).toBe('none');
  });
});
