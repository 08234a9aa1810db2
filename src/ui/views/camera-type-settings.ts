import { h } from '../dom.js';
import { t, tf, tk } from '../i18n.js';

export interface BanWindow { from: string; to: string }

/** The settings a camera's type needs, as the API names them. */
export interface TypeSettingsValues {
  speedLimitKmh: number | null; speedToleranceKmh: number;
  allowedLanes: number[] | null; allowedLanesByCategory: { car?: number[]; motorbike?: number[] } | null;
  noEntryVehicleTypes: string[]; noEntryHours: BanWindow[]; amberToleranceMs: number; stopDwellS: number; noParkingDwellS: number;
  expressway: boolean; analyticsEvents: string[];
}

/** What a new camera starts with (the API's defaults), so a registration form shows the values it will get. */
export const NEW_CAMERA_SETTINGS: TypeSettingsValues = {
  speedLimitKmh: null, speedToleranceKmh: 0, allowedLanes: null, allowedLanesByCategory: null, noEntryVehicleTypes: [], noEntryHours: [],
  amberToleranceMs: 200, stopDwellS: 60, noParkingDwellS: 300, expressway: false, analyticsEvents: [],
};

export const VEHICLE_TYPES = ['car', 'truck', 'bus', 'motorbike', 'moped', 'electric_motorbike'];
/** The API's ANALYTICS_EVENTS (src/violations/analytics-events.ts), in the order an operator reads them. */
const ANALYTICS_EVENTS = ['no_helmet', 'phone', 'no_seat_belt', 'three_on_motorbike', 'stop_line', 'road_markings', 'no_left_turn', 'no_right_turn',
  'solid_line', 'emergency_lane', 'pavement'];

/** A field with its label and the error shown next to it (linked for screen readers). */
export interface SettingsField { input: HTMLInputElement | HTMLSelectElement; error: HTMLElement; element: HTMLElement }

/** `prefix` keeps ids apart when two forms are on the page (settings of one camera, registration of another). */
export function settingsField(prefix: string, name: string, label: string, input: HTMLInputElement | HTMLSelectElement, help?: string): SettingsField {
  const error = h('span', { class: 'field-error', id: `${prefix}-${name}-error`, role: 'alert' });
  input.id = `${prefix}-${name}`;
  input.setAttribute('aria-describedby', `${prefix}-${name}-error${help ? ` ${prefix}-${name}-help` : ''}`);
  return { input, error, element: h('label', { for: `${prefix}-${name}` }, label, input, help ? h('small', { class: 'muted', id: `${prefix}-${name}-help` }, help) : null, error) };
}

export const numberInput = (name: string, value: number | null, step: number) => h('input', { name, type: 'number', step, value: value ?? '' });
const textInput = (name: string, value: string) => h('input', { name, value });

/** Collects a form's values, noting what is wrong next to each field. */
export interface Checker {
  fail(f: SettingsField, message: string): void;
  failKinds(message: string): void;
  /** a whole number in [min, max] */
  int(f: SettingsField, min: number, max: number): number;
}

export function checker(onFail: () => void, kindsError: () => HTMLElement | null): Checker {
  const fail = (f: SettingsField, message: string) => { f.error.textContent = message; f.input.setAttribute('aria-invalid', 'true'); onFail(); };
  return {
    fail,
    failKinds: (message) => { const e = kindsError(); if (e) e.textContent = message; onFail(); },
    int: (f, min, max) => {
      const v = Number(f.input.value);
      if (f.input.value.trim() === '' || !Number.isInteger(v) || v < min || v > max) fail(f, tf('errIntRange', { min: String(min), max: String(max) }));
      return v;
    },
  };
}

/**
 * The settings only some camera types use, for one type: the speed limit of a speed camera, the lanes of a
 * lane camera, the banned kinds and hours of a no-entry sign, the amber tolerance of a red-light camera,
 * the dwell times of no-stopping and no-parking cameras. Each is checked against the API's limits, a
 * required one must be given, and a refusal by the API is put next to the field it names (`fieldFor`).
 * Used by a camera's settings form and by the registration form, so a camera of any type can be
 * registered in one step.
 */
export interface TypeSettings {
  /** the fields, in order, to place in a form */
  elements: HTMLElement[];
  /** every field, to clear its error when it changes */
  fields: SettingsField[];
  kindsSet: HTMLElement | null;
  kindsError: HTMLElement | null;
  /** the settings to send (only those of the type), or what is wrong noted by `check` */
  collect(check: Checker, bad: () => boolean): Record<string, unknown>;
  /** where the API's refusal with this code belongs */
  fieldFor(code: string): SettingsField | 'kinds' | undefined;
  clearErrors(): void;
}

export function typeSettings(type: string, values: TypeSettingsValues, prefix: string, opts: { speedForEveryType?: boolean } = {}): TypeSettings {
  const field = (name: string, label: string, input: HTMLInputElement | HTMLSelectElement, help?: string) => settingsField(prefix, name, label, input, help);
  const shown = {
    speed: type === 'speed' || opts.speedForEveryType === true, lanes: type === 'lane', noEntry: type === 'no_entry', amber: type === 'red_light',
    stop: type === 'no_stopping', park: type === 'no_parking' || type === 'no_stopping', analytics: type === 'analytics',
  };
  const limit = field('speedLimitKmh', t('speedLimit'), numberInput('speedLimitKmh', values.speedLimitKmh, 1));
  const tolerance = field('speedToleranceKmh', t('speedTolerance'), numberInput('speedToleranceKmh', values.speedToleranceKmh, 1));
  const lanes = field('allowedLanes', t('camAllowedLanes'), textInput('allowedLanes', (values.allowedLanes ?? []).join(', ')), t('camLanesHelp'));
  const carLanes = field('lanesCar', t('camLanesCar'), textInput('lanesCar', (values.allowedLanesByCategory?.car ?? []).join(', ')));
  const motoLanes = field('lanesMotorbike', t('camLanesMoto'), textInput('lanesMotorbike', (values.allowedLanesByCategory?.motorbike ?? []).join(', ')));
  const hours = field('noEntryHours', t('camBanHours'), textInput('noEntryHours', values.noEntryHours.map((w) => `${w.from}-${w.to}`).join(', ')), t('camBanHoursHelp'));
  const amber = field('amberToleranceMs', t('camAmberTolerance'), numberInput('amberToleranceMs', values.amberToleranceMs, 50));
  const stopDwell = field('stopDwellS', t('camStopDwell'), numberInput('stopDwellS', values.stopDwellS, 1));
  const parkDwell = field('noParkingDwellS', t('camParkDwell'), numberInput('noParkingDwellS', values.noParkingDwellS, 10));
  const expresswayBox = h('input', { name: 'expressway', type: 'checkbox', checked: values.expressway });
  const expressway = field('expressway', t('camExpressway'), expresswayBox, t('camExpresswayHelp'));
  const events = ANALYTICS_EVENTS.map((v) => h('input', { type: 'checkbox', name: 'analyticsEvents', value: v, checked: values.analyticsEvents.includes(v) }));
  const eventsSet = shown.analytics ? h('fieldset', { id: `${prefix}-events`, 'aria-describedby': `${prefix}-events-help` }, h('legend', {}, t('camEvents')),
    ...events.map((k) => h('label', { class: 'check' }, k, tk('event', k.value))), h('small', { class: 'muted', id: `${prefix}-events-help` }, t('camEventsHelp'))) : null;
  const kinds = VEHICLE_TYPES.map((v) => h('input', { type: 'checkbox', name: 'noEntryVehicleTypes', value: v, checked: values.noEntryVehicleTypes.includes(v) }));
  const kindsError = shown.noEntry ? h('span', { class: 'field-error', id: `${prefix}-kinds-error`, role: 'alert' }) : null;
  const kindsSet = shown.noEntry ? h('fieldset', { id: `${prefix}-kinds`, 'aria-describedby': `${prefix}-kinds-error` }, h('legend', {}, t('camBannedKinds')),
    ...kinds.map((k) => h('label', { class: 'check' }, k, tk('vtype', k.value))), kindsError) : null;

  const fields = [...(shown.speed ? [limit, tolerance] : []), ...(shown.lanes ? [lanes, carLanes, motoLanes] : []), ...(shown.noEntry ? [hours] : []),
    ...(shown.amber ? [amber] : []), ...(shown.stop ? [stopDwell] : []), ...(shown.park ? [parkDwell] : []), ...(shown.analytics ? [expressway] : [])];
  const elements = [...(shown.speed ? [limit.element, tolerance.element] : []), ...(shown.lanes ? [lanes.element, carLanes.element, motoLanes.element] : []),
    ...(kindsSet ? [kindsSet, hours.element] : []), ...(shown.amber ? [amber.element] : []), ...(shown.stop ? [stopDwell.element] : []),
    ...(shown.park ? [parkDwell.element] : []), ...(shown.analytics ? [expressway.element] : []), ...(eventsSet ? [eventsSet] : [])];

  function collect(check: Checker, bad: () => boolean): Record<string, unknown> {
    const laneList = (f: SettingsField) => {
      const raw = f.input.value.trim();
      if (raw === '') return null;
      const list = raw.split(/[\s,;]+/).filter(Boolean).map(Number);
      if (list.length > 20 || list.some((n) => !Number.isInteger(n) || n < 1 || n > 20) || new Set(list).size !== list.length) { check.fail(f, t('errLanes')); return null; }
      return list;
    };
    const patch: Record<string, unknown> = {};
    if (shown.speed) {
      patch.speedToleranceKmh = check.int(tolerance, 0, 20);
      if (limit.input.value.trim() !== '') patch.speedLimitKmh = check.int(limit, 5, 150);
      else if (type === 'speed') check.fail(limit, t('errSpeedLimitRequired'));
    }
    if (shown.lanes) {
      const all = laneList(lanes);
      const car = laneList(carLanes);
      const motorbike = laneList(motoLanes);
      patch.allowedLanes = all;
      patch.allowedLanesByCategory = car || motorbike ? { ...(car ? { car } : {}), ...(motorbike ? { motorbike } : {}) } : null;
      if (!bad() && !all && !car && !motorbike) check.fail(lanes, t('errLanesRequired'));
    }
    if (shown.noEntry) {
      const banned = kinds.filter((k) => k.checked).map((k) => k.value);
      if (banned.length === 0) check.failKinds(t('errBannedKinds'));
      patch.noEntryVehicleTypes = banned;
      const windows = hours.input.value.split(',').map((w) => w.trim()).filter(Boolean);
      const parsed = windows.map((w) => /^(([01]\d|2[0-3]):[0-5]\d)\s*-\s*(([01]\d|2[0-3]):[0-5]\d|24:00)$/.exec(w)).map((m) => (m ? { from: m[1]!, to: m[3]! } : null));
      if (parsed.length > 6 || parsed.some((w) => !w || w.from === w.to || (w.from === '00:00' && w.to === '24:00'))) check.fail(hours, t('errBanHours'));
      patch.noEntryHours = parsed.filter((w): w is BanWindow => w !== null);
    }
    if (shown.amber) patch.amberToleranceMs = check.int(amber, 0, 2000);
    if (shown.stop) patch.stopDwellS = check.int(stopDwell, 5, 86_400);
    if (shown.park) patch.noParkingDwellS = check.int(parkDwell, 10, 86_400);
    if (shown.analytics) {
      patch.expressway = expresswayBox.checked;
      patch.analyticsEvents = events.filter((e) => e.checked).map((e) => e.value);
    }
    if (shown.stop && !bad() && Number(patch.stopDwellS) >= Number(patch.noParkingDwellS)) check.fail(stopDwell, t('errStopBelowPark'));
    return patch;
  }

  /** The API's cross-field refusals belong to one field each. */
  const FIELD_OF: Record<string, SettingsField | 'kinds' | undefined> = {
    speed_limit_required: limit, allowed_lanes_required: lanes, invalid_ban_hours: hours, stop_dwell_not_below_park: stopDwell,
    banned_vehicle_types_required: 'kinds',
  };
  return {
    elements, fields, kindsSet, kindsError, collect,
    fieldFor: (code) => {
      const f = FIELD_OF[code];
      return f === 'kinds' ? (kindsSet ? 'kinds' : undefined) : f && fields.includes(f) ? f : undefined;
    },
    clearErrors: () => {
      for (const f of fields) { f.error.textContent = ''; f.input.removeAttribute('aria-invalid'); }
      if (kindsError) kindsError.textContent = '';
    },
  };
}
