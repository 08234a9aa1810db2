import { h, mount } from '../dom.js';
import { dateTime, percent } from '../format.js';
import { t, tf, type TextKey } from '../i18n.js';
import { api as call, ApiError } from '../api.js';
import type { Context } from '../main.js';
import { moreButton, pageUrl, type Paged } from '../paging.js';
import { checker, NEW_CAMERA_SETTINGS, numberInput, settingsField, typeSettings, type BanWindow, type SettingsField } from './camera-type-settings.js';
import { frameRegions, type Fraction, type PixelBox } from './frame-regions.js';

interface Camera { roi: PixelBox | null; overlayMasks: Fraction[]; code: string; name: string; cameraType: string; enabled: boolean; plateProfile: 'vn' | 'generic';
  detectThreshold: number; readThreshold: number; speedLimitKmh: number | null; speedToleranceKmh: number; dedupWindowS: number;
  allowedLanes: number[] | null; allowedLanesByCategory: { car?: number[]; motorbike?: number[] } | null; noEntryVehicleTypes: string[];
  noEntryHours: BanWindow[]; amberToleranceMs: number; stopDwellS: number; noParkingDwellS: number; expressway: boolean;
  analyticsEvents: string[] }
interface DeadLetter { captureId: number; cameraCode: string; reason: string; attempts: number; capturedAt: string; deadLetteredAt: string }
const CAMERA_TYPES = ['speed', 'red_light', 'lane', 'no_entry', 'wrong_way', 'no_parking', 'no_stopping', 'analytics'];
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

  /**
   * Registration in one step: the camera's identity and type, and the settings its type requires (speed
   * limit, lanes, banned kinds and hours, dwell times), shown for the type chosen and checked like the
   * settings form; a refusal is shown next to the field it concerns.
   */
  function registerForm(): HTMLElement {
    const fields = {
      code: h('input', { id: 'reg-code', name: 'code', placeholder: 'HN-CG-001', 'aria-describedby': 'reg-code-error' }),
      name: h('input', { id: 'reg-name', name: 'name', 'aria-describedby': 'reg-name-error' }),
      province: h('input', { id: 'reg-province', name: 'province', 'aria-describedby': 'reg-province-error' }),
      address: h('input', { id: 'reg-address', name: 'address', 'aria-describedby': 'reg-address-error' }),
    };
    const errors = Object.fromEntries(Object.keys(fields).map((k) => [k, h('span', { class: 'field-error', id: `reg-${k}-error`, role: 'alert' })])) as Record<keyof typeof fields, HTMLElement>;
    const type = h('select', { id: 'reg-type', name: 'cameraType', 'aria-describedby': 'reg-type-error' }, ...CAMERA_TYPES.map((c) => h('option', { value: c }, t(`ctype_${c}` as TextKey))));
    const general = h('p', { class: 'field-error', role: 'alert', id: 'reg-error' });
    const typeError = h('span', { class: 'field-error', id: 'reg-type-error', role: 'alert' });
    // the settings of the chosen type, drawn again when the type changes (what was typed for another type does not apply)
    const typedBox = h('div', { class: 'type-settings', id: 'reg-type-settings' });
    let typed = typeSettings(type.value, NEW_CAMERA_SETTINGS, 'reg');
    const drawTyped = () => {
      typed = typeSettings(type.value, NEW_CAMERA_SETTINGS, 'reg');
      typedBox.replaceChildren(...typed.elements);
    };
    drawTyped();
    type.addEventListener('change', () => { typeError.textContent = ''; drawTyped(); });
    const label = (k: keyof typeof fields, text: TextKey) => h('label', { for: `reg-${k}` }, t(text), fields[k], errors[k]);
    const form = h('form', { class: 'card settings', id: 'register-form', novalidate: true, oninput: (event: Event) => {
      const target = event.target as HTMLElement;
      if (typed.kindsSet?.contains(target)) { typed.kindsError!.textContent = ''; return; }
      const f = typed.fields.find((x) => x.input === target);
      if (f) { f.error.textContent = ''; f.input.removeAttribute('aria-invalid'); }
    }, onsubmit: async (event: Event) => {
      event.preventDefault();
      general.textContent = '';
      typeError.textContent = '';
      typed.clearErrors();
      let bad = false;
      for (const [k, input] of Object.entries(fields) as Array<[keyof typeof fields, HTMLInputElement]>) {
        errors[k].textContent = '';
        input.removeAttribute('aria-invalid');
        const v = input.value.trim();
        const wrong = k === 'code' ? !/^[A-Z0-9][A-Z0-9_-]{1,63}$/.test(v) : v.length === 0;
        if (wrong) { errors[k].textContent = k === 'code' ? t('errCameraCode') : t('errRequired'); input.setAttribute('aria-invalid', 'true'); bad = true; }
      }
      const settings = typed.collect(checker(() => { bad = true; }, () => typed.kindsError), () => bad);
      if (bad) { form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(); return; }
      try {
        const created = await call<{ apiKey: string }>('POST', '/api/v1/cameras', { code: fields.code.value.trim(), name: fields.name.value.trim(),
          province: fields.province.value.trim(), address: fields.address.value.trim(), cameraType: type.value, ...settings });
        showKey(fields.code.value.trim(), created.apiKey, true);
      } catch (err) {
        const target = err instanceof ApiError ? typed.fieldFor(err.code) : undefined;
        if (err instanceof ApiError && err.status === 409) { errors.code.textContent = t('errCameraExists'); fields.code.setAttribute('aria-invalid', 'true'); }
        else if (target === 'kinds') typed.kindsError!.textContent = (err as Error).message;
        else if (target) { target.error.textContent = (err as Error).message; target.input.setAttribute('aria-invalid', 'true'); }
        else if (err instanceof ApiError && err.code.endsWith('_required')) typeError.textContent = err.message;
        else general.textContent = `${t('error')}: ${(err as Error).message}`;
      }
    } }, h('h2', {}, t('registerCamera')), label('code', 'cameraCode'), label('name', 'cameraName'), label('province', 'province'), label('address', 'address'),
    h('label', { for: 'reg-type' }, t('cameraType'), type, typeError), typedBox,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'register-camera' }, t('registerCamera'))), general);
    return form;
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
            try { await call('POST', `/api/v1/dead-letters/${d.captureId}/retry`); await renderCameras(ctx); ctx.flash(t('retried')); }
            catch (err) { ctx.flash((err as Error).message, 'error'); }
          } }, t('retry'))))))));
  }

  function edit(c: Camera): void {
    const settings = cameraSettingsForm(c, async (patch) => {
      await call('PATCH', `/api/v1/cameras/${encodeURIComponent(c.code)}`, patch);
      // "saved" shows once the list shows the saved settings: an edit opened from the list being replaced would vanish with it
      await renderCameras(ctx);
      ctx.flash(`${t('saved')}: ${c.code}`);
    }, () => editor.replaceChildren());
    mount(editor, settings.form);
    editor.scrollIntoView({ block: 'nearest' });
    settings.focus();
  }
}

/**
 * The settings of one camera. Only the settings its type uses are shown (a no-entry sign's banned kinds and
 * hours, lanes, amber tolerance, dwell times); each is checked here against the API's limits and a refusal
 * is shown next to its field, so the officer sees which value to change.
 */
function cameraSettingsForm(c: Camera, save: (patch: Record<string, unknown>) => Promise<void>, cancel: () => void): { form: HTMLElement; focus: () => void } {
  const field = (name: string, label: string, input: HTMLInputElement | HTMLSelectElement) => settingsField('cam', name, label, input);
  const enabled = h('input', { name: 'enabled', type: 'checkbox', checked: c.enabled });
  const detect = field('detectThreshold', t('detectThreshold'), numberInput('detectThreshold', c.detectThreshold, 0.05));
  const read = field('readThreshold', t('readThreshold'), numberInput('readThreshold', c.readThreshold, 0.05));
  const dedup = field('dedupWindowS', t('dedupWindow'), numberInput('dedupWindowS', c.dedupWindowS, 10));
  const profile = field('plateProfile', t('plateProfile'),
    h('select', { name: 'plateProfile' }, ...(['vn', 'generic'] as const).map((p) => h('option', { value: p, selected: c.plateProfile === p }, t(`profile_${p}`)))));
  // a speed limit may be set on a camera of any type (a red-light camera with a radar); it is required of a speed camera
  const typed = typeSettings(c.cameraType, c, 'cam', { speedForEveryType: true });
  const regions = frameRegions(`/api/v1/cameras/${encodeURIComponent(c.code)}/latest-frame`, c.roi, c.overlayMasks);
  const general = h('p', { class: 'field-error', id: 'cam-error', role: 'alert' });
  const fields = [detect, read, dedup, profile, ...typed.fields];

  /** The patch to send, or null when a field is wrong (its error is then shown next to it). */
  function collect(): Record<string, unknown> | null {
    for (const f of fields) { f.error.textContent = ''; f.input.removeAttribute('aria-invalid'); }
    typed.clearErrors();
    general.textContent = '';
    let bad = false;
    const check = checker(() => { bad = true; }, () => typed.kindsError);
    const between = (f: SettingsField, min: number, max: number) => {
      const v = Number(f.input.value);
      if (f.input.value.trim() === '' || !(v > min && v < max)) check.fail(f, tf('errNumberBetween', { min: String(min), max: String(max) }));
      return v;
    };
    const patch: Record<string, unknown> = {
      enabled: enabled.checked, detectThreshold: between(detect, 0, 1), readThreshold: between(read, 0, 1),
      dedupWindowS: check.int(dedup, 0, 86_400), plateProfile: profile.input.value, ...regions.value(),
      ...typed.collect(check, () => bad),
    };
    return bad ? null : patch;
  }

  const form = h('form', { class: 'card settings', id: 'camera-form', novalidate: true, oninput: (event: Event) => {
    // an error goes once its field is changed, so what is still shown is what is still wrong
    const target = event.target as HTMLElement;
    if (typed.kindsSet?.contains(target)) { typed.kindsError!.textContent = ''; return; }
    const f = fields.find((x) => x.input === target);
    if (f) { f.error.textContent = ''; f.input.removeAttribute('aria-invalid'); }
  }, onsubmit: async (event: Event) => {
    event.preventDefault();
    const patch = collect();
    if (!patch) { form.querySelector<HTMLElement>('[aria-invalid="true"], #cam-kinds input')?.focus(); return; }
    try {
      await save(patch);
    } catch (err) {
      const target = err instanceof ApiError ? typed.fieldFor(err.code) : undefined;
      if (target === 'kinds') typed.kindsError!.textContent = (err as Error).message;
      else if (target) { target.error.textContent = (err as Error).message; target.input.setAttribute('aria-invalid', 'true'); }
      else general.textContent = `${t('camFormError')}: ${(err as Error).message}`;
    }
  } },
  h('h2', {}, `${t('settings')} — ${c.code} (${t(`ctype_${c.cameraType}` as TextKey)})`),
  h('label', { class: 'check' }, enabled, t('enabled')),
  detect.element, read.element, ...typed.elements, dedup.element, profile.element,
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
