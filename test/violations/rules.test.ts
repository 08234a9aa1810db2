import { describe, expect, it } from 'vitest';
import { evaluateRule, type RuleContext } from '../../src/violations/rules.js';
import { activeWindow } from '../../src/violations/sign-hours.js';
import type { CameraRules, CaptureFacts, VehicleKind } from '../../src/violations/types.js';

/** Vietnam time, the zone the signs are written in. */
const vn = (hhmmss: string, day = '2025-06-02') => new Date(`${day}T${hhmmss}+07:00`);
const capture = (over: Partial<CaptureFacts> = {}): CaptureFacts => ({
  captureId: 1, capturedAt: vn('08:00:00'), measuredSpeedKmh: null, signalPhase: null,
  redElapsedMs: null, amberElapsedMs: null, lane: null, direction: null, ...over,
});
const camera = (over: Partial<CameraRules>): CameraRules => ({
  id: 1, code: 'CAM-1', cameraType: 'speed', speedLimitKmh: 60, speedToleranceKmh: 0, allowedLanes: null, allowedLanesByCategory: null,
  noEntryVehicleTypes: [], noEntryHours: [], amberToleranceMs: 200, dedupWindowS: 300, stopDwellS: 60, noParkingDwellS: 300, plateProfile: 'vn', ...over,
});
const ctx: RuleContext = { dwellS: null, vehicle: null };
const registered = (type: VehicleKind['type'] & string): VehicleKind => ({
  type, category: ['motorbike', 'moped', 'electric_motorbike'].includes(type) ? 'motorbike' : 'car', source: 'registry', reason: `registered ${type}` });
const unregistered = (category: VehicleKind['category']): VehicleKind => ({ type: null, category, source: 'plate_inference', reason: 'plate' });
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

describe('signal rule: red, and amber unless the vehicle was at the stop line when the light turned (Luật 36 Đ11)', () => {
  const signal = camera({ cameraType: 'red_light', speedLimitKmh: null, amberToleranceMs: 200 });
  it('fines every crossing on red, from the first millisecond, with or without a reported time into red', () => {
    expect(evaluateRule(capture({ signalPhase: 'red', redElapsedMs: 0 }), signal, ctx)).toEqual({
      kind: 'violation', rule: 'red_light', offence: 'red_light', details: { signalPhase: 'red', redElapsedMs: 0 } });
    expect(evaluateRule(capture({ signalPhase: 'red', redElapsedMs: null }), signal, ctx)).toMatchObject({ kind: 'violation', offence: 'red_light' });
  });
  it('fines an amber crossing from the tolerance on: the vehicle was still before the line when the light turned', () => {
    expect(evaluateRule(capture({ signalPhase: 'amber', amberElapsedMs: 200 }), signal, ctx)).toEqual({
      kind: 'violation', rule: 'red_light', offence: 'red_light', details: { signalPhase: 'amber', amberElapsedMs: 200, amberToleranceMs: 200 } });
    expect(evaluateRule(capture({ signalPhase: 'amber', amberElapsedMs: 2900 }), signal, ctx).kind).toBe('violation');
  });
  it('lets an amber crossing within the tolerance go: the vehicle was at the stop line when the light turned', () => {
    expect(evaluateRule(capture({ signalPhase: 'amber', amberElapsedMs: 199 }), signal, ctx))
      .toMatchObject({ kind: 'none', reason: expect.stringContaining('at the line when the light turned') });
    expect(evaluateRule(capture({ signalPhase: 'amber', amberElapsedMs: 0 }), signal, ctx).kind).toBe('none');
    expect(evaluateRule(capture({ signalPhase: 'amber', amberElapsedMs: 50 }), { ...signal, amberToleranceMs: 0 }, ctx).kind).toBe('violation');
  });
  it('does not fine amber when the camera cannot say how long after the change the vehicle crossed, nor green', () => {
    expect(evaluateRule(capture({ signalPhase: 'amber', amberElapsedMs: null }), signal, ctx))
      .toMatchObject({ kind: 'none', reason: expect.stringContaining('not reported') });
    expect(evaluateRule(capture({ signalPhase: 'green' }), signal, ctx).kind).toBe('none');
    expect(evaluateRule(capture({ signalPhase: null }), signal, ctx).kind).toBe('none');
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
  it('judges each category by its own lanes where the signs differ (cars 1-2, motorbikes 3)', () => {
    const split = camera({ cameraType: 'lane', speedLimitKmh: null, allowedLanes: null, allowedLanesByCategory: { car: [1, 2], motorbike: [3] } });
    const car = { ...ctx, vehicle: registered('truck') };
    const bike = { ...ctx, vehicle: unregistered('motorbike') };
    expect(evaluateRule(capture({ lane: 2 }), split, car).kind).toBe('none');
    expect(evaluateRule(capture({ lane: 3 }), split, car)).toEqual({ kind: 'violation', rule: 'wrong_lane', offence: 'wrong_lane',
      details: { lane: 3, allowedLanes: [1, 2], lanesFor: 'car' } });
    expect(evaluateRule(capture({ lane: 3 }), split, bike).kind).toBe('none');
    expect(evaluateRule(capture({ lane: 1 }), split, bike)).toMatchObject({ kind: 'violation', details: { lane: 1, allowedLanes: [3], lanesFor: 'motorbike' } });
  });
  it('falls back to the lanes for all vehicles when the category has no list of its own', () => {
    const partly = camera({ cameraType: 'lane', speedLimitKmh: null, allowedLanes: [1, 2, 3], allowedLanesByCategory: { motorbike: [3] } });
    expect(evaluateRule(capture({ lane: 3 }), partly, { ...ctx, vehicle: registered('car') }).kind).toBe('none');
    expect(evaluateRule(capture({ lane: 4 }), partly, { ...ctx, vehicle: registered('car') })).toMatchObject({ kind: 'violation', details: { allowedLanes: [1, 2, 3] } });
    const onlyBikes = camera({ cameraType: 'lane', speedLimitKmh: null, allowedLanes: null, allowedLanesByCategory: { motorbike: [3] } });
    expect(evaluateRule(capture({ lane: 1 }), onlyBikes, { ...ctx, vehicle: registered('car') }))
      .toMatchObject({ kind: 'none', reason: expect.stringContaining('no allowed lanes configured for a car') });
  });
});

describe('no-entry rule: only the vehicle kinds and hours the sign bans', () => {
  const noTrucksRushHour = camera({ cameraType: 'no_entry', speedLimitKmh: null, noEntryVehicleTypes: ['truck'],
    noEntryHours: [{ from: '06:00', to: '09:00' }, { from: '16:00', to: '20:00' }] });
  const at = (hhmmss: string, vehicle: VehicleKind, direction: CaptureFacts['direction'] = 'forward') =>
    evaluateRule(capture({ capturedAt: vn(hhmmss), direction }), noTrucksRushHour, { ...ctx, vehicle });

  it('fines a banned kind inside the hours, naming the window and the local time', () => {
    expect(at('06:00:00', registered('truck'))).toEqual({ kind: 'violation', rule: 'no_entry', offence: 'no_entry',
      details: { bannedVehicleTypes: ['truck'], banHours: '06:00-09:00', localTime: '06:00', direction: 'forward', vehicleType: 'truck' } });
    expect(at('08:59:59', registered('truck')).kind).toBe('violation');
    expect(at('19:59:59', registered('truck'))).toMatchObject({ kind: 'violation', details: { banHours: '16:00-20:00' } });
  });
  it('lets the banned kind through outside the hours (the window ends before its end minute)', () => {
    expect(at('05:59:59', registered('truck'))).toMatchObject({ kind: 'none', reason: expect.stringContaining('outside the hours') });
    expect(at('09:00:00', registered('truck')).kind).toBe('none');
    expect(at('12:00:00', registered('truck')).kind).toBe('none');
    expect(at('20:00:00', registered('truck')).kind).toBe('none');
  });
  it('never fines a kind the sign does not ban, even inside the hours', () => {
    expect(at('07:00:00', registered('car'))).toMatchObject({ kind: 'none', reason: 'the sign does not ban a car' });
    expect(at('07:00:00', registered('motorbike')).kind).toBe('none');
    expect(at('07:00:00', registered('bus')).kind).toBe('none');
  });
  it('does not fine an unregistered vehicle whose plate cannot tell a banned kind from an allowed one', () => {
    expect(at('07:00:00', unregistered('car'))).toMatchObject({ kind: 'none', reason: expect.stringContaining('the plate does not tell which kind') });
    expect(at('07:00:00', unregistered('motorbike'))).toMatchObject({ kind: 'none', reason: expect.stringContaining('bans no motorbike-category') });
  });
  it('fines an unregistered vehicle when the sign bans every kind of its category (a motorbike ban and a two-line motorbike plate)', () => {
    const noMotorbikes = camera({ cameraType: 'no_entry', speedLimitKmh: null, noEntryVehicleTypes: ['motorbike', 'moped', 'electric_motorbike'] });
    expect(evaluateRule(capture({ direction: 'forward' }), noMotorbikes, { ...ctx, vehicle: unregistered('motorbike') }))
      .toMatchObject({ kind: 'violation', offence: 'no_entry', details: { vehicleType: null, banHours: 'all day' } });
    expect(evaluateRule(capture({ direction: 'forward' }), noMotorbikes, { ...ctx, vehicle: unregistered('car') }).kind).toBe('none');
  });
  it('does not treat a vehicle leaving the closed road as entering it, and wrong way is not its business', () => {
    expect(at('07:00:00', registered('truck'), 'reverse')).toMatchObject({ kind: 'none', reason: expect.stringContaining('leaving') });
    expect(at('07:00:00', registered('truck'), null).kind).toBe('violation');
  });
  it('handles a window past midnight (22:00-05:00)', () => {
    const night = [{ from: '22:00', to: '05:00' }];
    expect(activeWindow(night, vn('22:00:00'))).toEqual(night[0]);
    expect(activeWindow(night, vn('04:59:59'))).toEqual(night[0]);
    expect(activeWindow(night, vn('05:00:00'))).toBeNull();
    expect(activeWindow(night, vn('21:59:59'))).toBeNull();
    // the sign's clock is Vietnam's: 23:30 UTC is 06:30 the next morning there
    expect(activeWindow([{ from: '06:00', to: '09:00' }], new Date('2025-06-01T23:30:00Z'))).not.toBeNull();
  });
});

describe('wrong-way rule (one-way street, "Cấm đi ngược chiều")', () => {
  const oneWay = camera({ cameraType: 'wrong_way', speedLimitKmh: null });
  it('fines a vehicle going against the permitted direction, whatever its kind', () => {
    expect(evaluateRule(capture({ direction: 'reverse' }), oneWay, ctx)).toEqual({ kind: 'violation', rule: 'wrong_way', offence: 'wrong_way', details: { direction: 'reverse' } });
  });
  it('leaves vehicles going the permitted way, or without a reported direction, alone', () => {
    expect(evaluateRule(capture({ direction: 'forward' }), oneWay, ctx).kind).toBe('none');
    expect(evaluateRule(capture({ direction: null }), oneWay, ctx).kind).toBe('none');
  });
});

describe('standing rules: "Cấm đỗ xe" allows stopping, "Cấm dừng xe và đỗ xe" does not', () => {
  const noParking = camera({ cameraType: 'no_parking', speedLimitKmh: null, stopDwellS: 60, noParkingDwellS: 300 });
  const noStopping = camera({ cameraType: 'no_stopping', speedLimitKmh: null, stopDwellS: 60, noParkingDwellS: 300 });
  const standing = (cam: CameraRules, dwellS: number | null) => evaluateRule(capture(), cam, { ...ctx, dwellS });

  it('under "Cấm đỗ xe": fines parking from the parking threshold, not one second less; stopping is allowed', () => {
    expect(standing(noParking, 300)).toEqual({ kind: 'violation', rule: 'no_parking', offence: 'no_parking',
      details: { dwellS: 300, sign: 'no_parking', stopDwellS: null, allowedDwellS: 300 } });
    expect(standing(noParking, 299).kind).toBe('none');
    expect(standing(noParking, 120).kind).toBe('none');
    expect(standing(noParking, null).kind).toBe('none');
  });
  it('under "Cấm dừng xe và đỗ xe": standing from the stop threshold is stopping, from the parking threshold parking', () => {
    expect(standing(noStopping, 59)).toMatchObject({ kind: 'none', reason: expect.stringContaining('count as stopping') });
    expect(standing(noStopping, 60)).toEqual({ kind: 'violation', rule: 'no_stopping', offence: 'no_stopping',
      details: { dwellS: 60, sign: 'no_stopping', stopDwellS: 60, allowedDwellS: 300 } });
    expect(standing(noStopping, 299)).toMatchObject({ kind: 'violation', offence: 'no_stopping' });
    expect(standing(noStopping, 300)).toMatchObject({ kind: 'violation', rule: 'no_parking', offence: 'no_parking' });
  });
});
