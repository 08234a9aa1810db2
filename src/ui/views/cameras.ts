import { h, mount } from '../dom.js';
import { dateTime, percent } from '../format.js';
import { t, tf, tk, type TextKey } from '../i18n.js';
import { api as call, ApiError } from '../api.js';
import type { Context } from '../main.js';
import { moreButton, pageUrl, type Paged } from '../paging.js';
import { frameRegions, type Fraction, type PixelBox } from './frame-regions.js';

interface BanWindow { from: string; to: string }
interface Camera { roi: PixelBox | null; overlayMasks: Fraction[]; code: string; name: string; cameraType: string; enabled: boolean; plateProfile: 'vn' | 'generic';
  detectThreshold: number; readThreshold: number; speedLimitKmh: number | null; speedToleranceKmh: number; dedupWindowS: number;
  allowedLanes: number[] | null; allowedLanesByCategory: { car?: number[]; motorbike?: number[] } | null; noEntryVehicleTypes: string[];
  noEntryHours: BanWindow[]; amberToleranceMs: number; stopDwellS: number; noParkingDwellS: number }
interface DeadLetter { captureId: number; cameraCode: string; reason: string; attempts: number; capturedAt: string; deadLetteredAt: string }
const CAMERA_TYPES = ['speed', 'red_light', 'lane', 'no_entry', 'wrong_way', 'no_parking', 'no_stopping'];
const VEHICLE_TYPES = ['car', 'truck', 'bus', 'motorbike', 'moped', 'electric_motorbike'];
interface Stats { code: string; capturesPerHour: number; readRate: number | null; meanConfidence: number | null; deadLetteredOpen: number;
  lastImageAt: string | null }

/** Cameras shown per page; "Xem thêm" fetches the next page of cameras and their figures. */
const CAMERA_PAGE = 50;

export async function renderCameras(ctx: Context): Promise<void> {
  const camerasPage = (after: string | null) => call<Paged<Camera>>('GET', pageUrl('/api/v1/cameras', { limit: CAMERA_PAGE }, after));
  // the figures are paged in the same code order, so the same cursor gives the same cameras
  const statsPage = (after: string | null) => call<Paged<Stats>>('GET', pageUrl('/api/v1/cameras/stats', { hours: 24, limit: CAMERA_PAGE }, after));
  const [cameras, stats, dead] = await Promise.all([camerasPage(null), statsPage(null),
    call<{ items: DeadLetter[] }>('GET', '/api/v1/dead-letters?limit=50')]);
  const byCode = new Map(stats.items.map((s) => [s.code, s]));
  const shown: Camera[] = [...cameras.items];
  const editor = h('div', { id: 'camera-editor' });
  const keyText = h('code', { id: 'api-key', class: 'mono' });
  const keyTitle = h('h2', { id: 'key-title' });
  const keyDialog = h('dialog', { id: 'key-dialog', 'aria-labelledby': 'key-title' }, keyTitle, h('p', { class: 'warn' }, t('keyOnce')), keyText,
    h('div', { class: 'actions' }, h('button', { type: 'button', id: 'key-close', onclick: () => {
      keyText.textContent = '';
      keyDialog.close();
      // the list is redrawn after the key is put away, so the key is never drawn twice
      if (refreshAfterKey) void renderCameras(ctx);
    } }, t('close'))));
  let refreshAfterKey = false;
  const row = (c: Camera) => {
    const s = byCode.get(c.code);
    return h('tr', { 'data-code': c.code },
      h('td', {}, h('strong', {}, c.code), h('div', { class: 'muted' }, c.name)),
      h('td', {}, t(`ctype_${c.cameraType}` as TextKey)), h('td', {}, c.enabled ? t('yes') : t('no')),
      h('td', { class: 'num' }, s ? s.capturesPerHour.toFixed(1) : '—'),
      h('td', { class: 'num' }, s?.readRate != null ? percent(s.readRate) : '—'),
      h('td', { class: 'num' }, s?.meanConfidence != null ? percent(s.meanConfidence) : '—'),
      h('td', { class: 'num' }, s ? s.deadLetteredOpen : '—'),
      h('td', {}, s?.lastImageAt ? dateTime(s.lastImageAt) : '—'),
      h('td', { class: 'actions' }, h('button', { class: 'small', 'data-edit': c.code, onclick: () => edit(c) }, t('settings')),
        h('button', { class: 'small', 'data-rotate': c.code, onclick: () => rotate(c.code) }, t('rotateKey'))));
  };
  const chartRows = () => shown.map((c) => ({ code: c.code, perHour: byCode.get(c.code)?.capturesPerHour ?? 0, readRate: byCode.get(c.code)?.readRate ?? 0 }));
  const body = h('tbody', {}, ...shown.map(row));
  let chart = statsChart(chartRows());
  const more = moreButton({ id: 'cameras-more', first: cameras, onError: (message) => ctx.flash(message, 'error'),
    fetch: async (after) => {
      const [page, figures] = await Promise.all([camerasPage(after), statsPage(after)]);
      for (const s of figures.items) byCode.set(s.code, s);
      return page;
    },
    append: (items) => {
      shown.push(...items);
      body.append(...items.map(row));
      const redrawn = statsChart(chartRows());
      chart.replaceWith(redrawn);
      chart = redrawn;
    } });
  mount(ctx.app,
    h('h1', {}, t('camerasTitle')),
    h('table', { class: 'grid', id: 'cameras' },
      h('thead', {}, h('tr', {}, ...[t('colCamera'), t('cameraType'), t('enabled'), t('capturesPerHour'), t('readRate'), t('meanConfidence'),
        t('deadLettered'), t('lastImage'), t('actionsCol')].map((label) => h('th', { scope: 'col' }, label)))),
      body),
    more,
    h('p', {}, h('a', { href: '/admin/queues', target: '_blank', id: 'queue-dashboard' }, t('queueDashboard')), ' · ',
      h('a', { href: '/metrics', target: '_blank', id: 'metrics-link' }, t('metricsLink'))),
    h('h2', {}, t('readsChart')),
    chart,
    editor, keyDialog, registerForm(), deadLetters(dead.items));

  function showKey(code: string, key: string, refresh = false): void {
    refreshAfterKey = refresh;
    keyText.textContent = key;
    keyTitle.textContent = `${t('apiKeyFor')} ${code}`;
    keyDialog.showModal();
  }
  async function rotate(code: string): Promise<void> {
    if (!confirm(`${t('rotateConfirm')} ${code}?`)) return;
    try { showKey(code, (await call<{ apiKey: string }>('POST', `/api/v1/cameras/${encodeURIComponent(code)}/api-key`)).apiKey); }
    catch (err) { ctx.flash((err as Error).message, 'error'); }
  }

  function registerForm(): HTMLElement {
    const fields = {
      code: h('input', { id: 'reg-code', name: 'code', placeholder: 'HN-CG-001', 'aria-describedby': 'reg-code-error' }),
      name: h('input', { id: 'reg-name', name: 'name', 'aria-describedby': 'reg-name-error' }),
      province: h('input', { id: 'reg-province', name: 'province', 'aria-describedby': 'reg-province-error' }),
      address: h('input', { id: 'reg-address', name: 'address', 'aria-describedby': 'reg-address-error' }),
    };
    const errors = Object.fromEntries(Object.keys(fields).map((k) => [k, h('span', { class: 'field-error', id: `reg-${k}-error`, role: 'alert' })])) as Record<keyof typeof fields, HTMLElement>;
    const type = h('select', { id: 'reg-type', name: 'cameraType', 'aria-describedby': 'reg-type-error' }, ...CAMERA_TYPES.map((c) => h('option', { value: c }, t(`ctype_${c}` as TextKey))));
    const general = h('p', { class: 'field-error', role: 'alert' });
    // a type whose sign needs settings (speed limit, lanes, banned kinds) is refused at registration: said next to the type
    const typeError = h('span', { class: 'field-error', id: 'reg-type-error', role: 'alert' });
    const label = (k: keyof typeof fields, text: TextKey) => h('label', { for: `reg-${k}` }, t(text), fields[k], errors[k]);
    return h('form', { class: 'card settings', id: 'register-form', novalidate: true, onsubmit: async (event: Event) => {
      event.preventDefault();
      general.textContent = '';
      typeError.textContent = '';
      let bad = false;
      for (const [k, input] of Object.entries(fields) as Array<[keyof typeof fields, HTMLInputElement]>) {
        errors[k].textContent = '';
        input.removeAttribute('aria-invalid');
        const v = input.value.trim();
        const wrong = k === 'code' ? !/^[A-Z0-9][A-Z0-9_-]{1,63}$/.test(v) : v.length === 0;
        if (wrong) { errors[k].textContent = k === 'code' ? t('errCameraCode') : t('errRequired'); input.setAttribute('aria-invalid', 'true'); bad = true; }
      }
      if (bad) return;
      try {
        const created = await call<{ apiKey: string }>('POST', '/api/v1/cameras', { code: fields.code.value.trim(), name: fields.name.value.trim(),
          province: fields.province.value.trim(), address: fields.address.value.trim(), cameraType: type.value });
        showKey(fields.code.value.trim(), created.apiKey, true);
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) { errors.code.textContent = t('errCameraExists'); fields.code.setAttribute('aria-invalid', 'true'); }
        else if (err instanceof ApiError && ['speed_limit_required', 'allowed_lanes_required', 'banned_vehicle_types_required'].includes(err.code)) typeError.textContent = err.message;
        else general.textContent = `${t('error')}: ${(err as Error).message}`;
      }
    } }, h('h2', {}, t('registerCamera')), label('code', 'cameraCode'), label('name', 'cameraName'), label('province', 'province'), label('address', 'address'),
    h('label', { for: 'reg-type' }, t('cameraType'), type, typeError),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'register-camera' }, t('registerCamera'))), general);
  }

  function deadLetters(items: DeadLetter[]): HTMLElement {
    return h('section', { id: 'dead-letters' }, h('h2', {}, `${t('deadLetters')} (${items.length})`),
      items.length === 0 ? h('p', { class: 'empty', id: 'dead-empty' }, t('deadEmpty')) : h('table', { class: 'grid' },
        h('thead', {}, h('tr', {}, ...(['frame', 'colCamera', 'colTime', 'deadReason', 'attempts', 'actionsCol'] as const).map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, ...items.map((d) => h('tr', { 'data-capture': d.captureId },
          h('td', {}, h('a', { href: `/api/v1/evidence/${d.captureId}/image`, target: '_blank' },
            h('img', { class: 'dead-thumb', src: `/api/v1/evidence/${d.captureId}/image`, alt: `${t('frame')} ${d.captureId}`, loading: 'lazy' }))),
          h('td', {}, d.cameraCode), h('td', {}, dateTime(d.deadLetteredAt)), h('td', { class: 'reason' }, d.reason), h('td', { class: 'num' }, d.attempts),
          h('td', {}, h('button', { class: 'small', 'data-retry': d.captureId, onclick: async () => {
            try { await call('POST', `/api/v1/dead-letters/${d.captureId}/retry`); ctx.flash(t('retried')); await renderCameras(ctx); }
            catch (err) { ctx.flash((err as Error).message, 'error'); }
          } }, t('retry'))))))));
  }

  function edit(c: Camera): void {
    const settings = cameraSettingsForm(c, async (patch) => {
      await call('PATCH', `/api/v1/cameras/${encodeURIComponent(c.code)}`, patch);
      ctx.flash(`${t('saved')}: ${c.code}`);
      await renderCameras(ctx);
    }, () => editor.replaceChildren());
    mount(editor, settings.form);
    editor.scrollIntoView({ block: 'nearest' });
    settings.focus();
  }
}

/** A field with its label and the error shown next to it (linked for screen readers). */
interface Field { input: HTMLInputElement | HTMLSelectElement; error: HTMLElement; element: HTMLElement }

/**
 * The settings of one camera. Only the settings its type uses are shown (a no-entry sign's banned kinds and
 * hours, lanes, amber tolerance, dwell times); each is checked here against the API's limits and a refusal
 * is shown next to its field, so the officer sees which value to change.
 */
function cameraSettingsForm(c: Camera, save: (patch: Record<string, unknown>) => Promise<void>, cancel: () => void): { form: HTMLElement; focus: () => void } {
  const field = (name: string, label: string, input: HTMLInputElement | HTMLSelectElement, help?: string): Field => {
    const error = h('span', { class: 'field-error', id: `cam-${name}-error`, role: 'alert' });
    input.id = `cam-${name}`;
    input.setAttribute('aria-describedby', `cam-${name}-error${help ? ` cam-${name}-help` : ''}`);
    return { input, error, element: h('label', { for: `cam-${name}` }, label, input, help ? h('small', { class: 'muted', id: `cam-${name}-help` }, help) : null, error) };
  };
  const num = (name: string, value: number | null, step: number) => h('input', { name, type: 'number', step, value: value ?? '' });
  const text = (name: string, value: string) => h('input', { name, value });
  const enabled = h('input', { name: 'enabled', type: 'checkbox', checked: c.enabled });
  const detect = field('detectThreshold', t('detectThreshold'), num('detectThreshold', c.detectThreshold, 0.05));
  const read = field('readThreshold', t('readThreshold'), num('readThreshold', c.readThreshold, 0.05));
  const limit = field('speedLimitKmh', t('speedLimit'), num('speedLimitKmh', c.speedLimitKmh, 1));
  const tolerance = field('speedToleranceKmh', t('speedTolerance'), num('speedToleranceKmh', c.speedToleranceKmh, 1));
  const dedup = field('dedupWindowS', t('dedupWindow'), num('dedupWindowS', c.dedupWindowS, 10));
  const profile = field('plateProfile', t('plateProfile'),
    h('select', { name: 'plateProfile' }, ...(['vn', 'generic'] as const).map((p) => h('option', { value: p, selected: c.plateProfile === p }, t(`profile_${p}`)))));
  const lanes = field('allowedLanes', t('camAllowedLanes'), text('allowedLanes', (c.allowedLanes ?? []).join(', ')), t('camLanesHelp'));
  const carLanes = field('lanesCar', t('camLanesCar'), text('lanesCar', (c.allowedLanesByCategory?.car ?? []).join(', ')));
  const motoLanes = field('lanesMotorbike', t('camLanesMoto'), text('lanesMotorbike', (c.allowedLanesByCategory?.motorbike ?? []).join(', ')));
  const hours = field('noEntryHours', t('camBanHours'), text('noEntryHours', c.noEntryHours.map((w) => `${w.from}-${w.to}`).join(', ')), t('camBanHoursHelp'));
  const amber = field('amberToleranceMs', t('camAmberTolerance'), num('amberToleranceMs', c.amberToleranceMs, 50));
  const stopDwell = field('stopDwellS', t('camStopDwell'), num('stopDwellS', c.stopDwellS, 1));
  const parkDwell = field('noParkingDwellS', t('camParkDwell'), num('noParkingDwellS', c.noParkingDwellS, 10));
  const kinds = VEHICLE_TYPES.map((v) => h('input', { type: 'checkbox', name: 'noEntryVehicleTypes', value: v, checked: c.noEntryVehicleTypes.includes(v) }));
  const kindsError = h('span', { class: 'field-error', id: 'cam-kinds-error', role: 'alert' });
  const kindsSet = h('fieldset', { id: 'cam-kinds', 'aria-describedby': 'cam-kinds-error' }, h('legend', {}, t('camBannedKinds')),
    ...kinds.map((k) => h('label', { class: 'check' }, k, tk('vtype', k.value))), kindsError);
  const regions = frameRegions(`/api/v1/cameras/${encodeURIComponent(c.code)}/latest-frame`, c.roi, c.overlayMasks);
  const general = h('p', { class: 'field-error', id: 'cam-error', role: 'alert' });

  const type = c.cameraType;
  const shown = {
    lanes: type === 'lane', noEntry: type === 'no_entry', amber: type === 'red_light',
    stop: type === 'no_stopping', park: type === 'no_parking' || type === 'no_stopping',
  };
  const fields = [detect, read, limit, tolerance, dedup, profile, lanes, carLanes, motoLanes, hours, amber, stopDwell, parkDwell];
  const flag = (f: Field, message: string) => { f.error.textContent = message; f.input.setAttribute('aria-invalid', 'true'); };

  /** The patch to send, or null when a field is wrong (its error is then shown next to it). */
  function collect(): Record<string, unknown> | null {
    for (const f of fields) { f.error.textContent = ''; f.input.removeAttribute('aria-invalid'); }
    kindsError.textContent = '';
    general.textContent = '';
    let bad = false;
    const fail = (f: Field, message: string) => { flag(f, message); bad = true; };
    const between = (f: Field, min: number, max: number) => {
      const v = Number(f.input.value);
      if (f.input.value.trim() === '' || !(v > min && v < max)) fail(f, tf('errNumberBetween', { min: String(min), max: String(max) }));
      return v;
    };
    const int = (f: Field, min: number, max: number) => {
      const v = Number(f.input.value);
      if (f.input.value.trim() === '' || !Number.isInteger(v) || v < min || v > max) fail(f, tf('errIntRange', { min: String(min), max: String(max) }));
      return v;
    };
    const laneList = (f: Field) => {
      const raw = f.input.value.trim();
      if (raw === '') return null;
      const list = raw.split(/[\s,;]+/).filter(Boolean).map(Number);
      if (list.length > 20 || list.some((n) => !Number.isInteger(n) || n < 1 || n > 20) || new Set(list).size !== list.length) { fail(f, t('errLanes')); return null; }
      return list;
    };
    const patch: Record<string, unknown> = {
      enabled: enabled.checked, detectThreshold: between(detect, 0, 1), readThreshold: between(read, 0, 1),
      speedToleranceKmh: int(tolerance, 0, 20), dedupWindowS: int(dedup, 0, 86_400), plateProfile: profile.input.value, ...regions.value(),
    };
    if (limit.input.value.trim() !== '') patch.speedLimitKmh = int(limit, 5, 150);
    else if (type === 'speed') fail(limit, t('errSpeedLimitRequired'));
    if (shown.lanes) {
      const all = laneList(lanes);
      const car = laneList(carLanes);
      const motorbike = laneList(motoLanes);
      patch.allowedLanes = all;
      patch.allowedLanesByCategory = car || motorbike ? { ...(car ? { car } : {}), ...(motorbike ? { motorbike } : {}) } : null;
      if (!bad && !all && !car && !motorbike) fail(lanes, t('errLanesRequired'));
    }
    if (shown.noEntry) {
      const banned = kinds.filter((k) => k.checked).map((k) => k.value);
      if (banned.length === 0) { kindsError.textContent = t('errBannedKinds'); bad = true; }
      patch.noEntryVehicleTypes = banned;
      const windows = hours.input.value.split(',').map((w) => w.trim()).filter(Boolean);
      const parsed = windows.map((w) => /^(([01]\d|2[0-3]):[0-5]\d)\s*-\s*(([01]\d|2[0-3]):[0-5]\d|24:00)$/.exec(w)).map((m) => (m ? { from: m[1]!, to: m[3]! } : null));
      if (parsed.length > 6 || parsed.some((w) => !w || w.from === w.to || (w.from === '00:00' && w.to === '24:00'))) fail(hours, t('errBanHours'));
      patch.noEntryHours = parsed.filter((w): w is BanWindow => w !== null);
    }
    if (shown.amber) patch.amberToleranceMs = int(amber, 0, 2000);
    if (shown.stop) patch.stopDwellS = int(stopDwell, 5, 86_400);
    if (shown.park) patch.noParkingDwellS = int(parkDwell, 10, 86_400);
    if (shown.stop && !bad && Number(patch.stopDwellS) >= Number(patch.noParkingDwellS)) fail(stopDwell, t('errStopBelowPark'));
    return bad ? null : patch;
  }

  /** The API's cross-field refusals belong to one field each; anything else is shown under the form. */
  const FIELD_OF: Record<string, Field | undefined> = {
    speed_limit_required: limit, allowed_lanes_required: lanes, invalid_ban_hours: hours, stop_dwell_not_below_park: stopDwell,
  };
  const form = h('form', { class: 'card settings', id: 'camera-form', novalidate: true, oninput: (event: Event) => {
    // an error goes once its field is changed, so what is still shown is what is still wrong
    const target = event.target as HTMLElement;
    if (target.closest('#cam-kinds')) { kindsError.textContent = ''; return; }
    const f = fields.find((x) => x.input === target);
    if (f) { f.error.textContent = ''; f.input.removeAttribute('aria-invalid'); }
  }, onsubmit: async (event: Event) => {
    event.preventDefault();
    const patch = collect();
    if (!patch) { form.querySelector<HTMLElement>('[aria-invalid="true"], #cam-kinds input')?.focus(); return; }
    try {
      await save(patch);
    } catch (err) {
      const target = err instanceof ApiError ? FIELD_OF[err.code] : undefined;
      if (target) flag(target, (err as Error).message);
      else if (err instanceof ApiError && err.code === 'banned_vehicle_types_required') kindsError.textContent = err.message;
      else general.textContent = `${t('camFormError')}: ${(err as Error).message}`;
    }
  } },
  h('h2', {}, `${t('settings')} — ${c.code} (${t(`ctype_${c.cameraType}` as TextKey)})`),
  h('label', { class: 'check' }, enabled, t('enabled')),
  detect.element, read.element, limit.element, tolerance.element, dedup.element, profile.element,
  shown.lanes ? lanes.element : null, shown.lanes ? carLanes.element : null, shown.lanes ? motoLanes.element : null,
  shown.noEntry ? kindsSet : null, shown.noEntry ? hours.element : null,
  shown.amber ? amber.element : null, shown.stop ? stopDwell.element : null, shown.park ? parkDwell.element : null,
  h('div', { class: 'wide' }, regions.element),
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'camera-save' }, t('save')),
    h('button', { type: 'button', onclick: cancel }, t('cancel'))), general);
  return { form, focus: () => detect.input.focus() };
}

/** Images per hour and read rate per camera, as two bars each, in inline SVG. */
function statsChart(rows: Array<{ code: string; perHour: number; readRate: number }>): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const rowH = 26;
  const width = 900;
  const height = Math.max(1, rows.length) * rowH + 30;
  const max = Math.max(1, ...rows.map((r) => r.perHour));
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('id', 'camera-chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', t('readsChart'));
  const el = (tag: string, attrs: Record<string, string | number>, text?: string) => {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text) node.textContent = text;
    svg.append(node);
  };
  el('text', { x: 160, y: 14, class: 'axis' }, `${t('capturesPerHour')} (${t('maxLabel')} ${max.toFixed(1)})`);
  el('text', { x: 560, y: 14, class: 'axis' }, t('readRate'));
  rows.forEach((r, i) => {
    const y = 24 + i * rowH;
    el('text', { x: 150, y: y + 14, 'text-anchor': 'end', class: 'axis' }, r.code);
    el('rect', { x: 160, y, width: (360 * r.perHour) / max, height: 16, class: 'bar collected' });
    el('text', { x: 164 + (360 * r.perHour) / max, y: y + 13, class: 'axis' }, r.perHour.toFixed(1));
    el('rect', { x: 560, y, width: 300 * r.readRate, height: 16, class: 'bar outstanding' });
    el('text', { x: 564 + 300 * r.readRate, y: y + 13, class: 'axis' }, percent(r.readRate));
  });
  return svg;
}
