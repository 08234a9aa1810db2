import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { dateTime, percent } from '../format.js';
import { t } from '../i18n.js';
import type { Context } from '../main.js';

interface Camera { code: string; name: string; cameraType: string; enabled: boolean; plateProfile: 'vn' | 'generic';
  detectThreshold: number; readThreshold: number; speedLimitKmh: number | null; speedToleranceKmh: number; dedupWindowS: number }
interface Stats { code: string; capturesPerHour: number; readRate: number | null; meanConfidence: number | null; deadLetteredOpen: number;
  lastImageAt: string | null }

export async function renderCameras(ctx: Context): Promise<void> {
  const [cameras, stats] = await Promise.all([
    api<{ items: Camera[] }>('GET', '/api/v1/cameras'),
    api<{ items: Stats[] }>('GET', '/api/v1/cameras/stats?hours=24'),
  ]);
  const list = cameras.items;
  const byCode = new Map(stats.items.map((s) => [s.code, s]));
  const editor = h('div', { id: 'camera-editor' });
  mount(ctx.app,
    h('h1', {}, t('camerasTitle')),
    h('table', { class: 'grid', id: 'cameras' },
      h('thead', {}, h('tr', {}, ...[t('colCamera'), t('cameraType'), t('enabled'), t('capturesPerHour'), t('readRate'), t('meanConfidence'),
        t('deadLettered'), t('lastImage'), ''].map((label) => h('th', {}, label)))),
      h('tbody', {}, ...list.map((c) => {
        const s = byCode.get(c.code);
        return h('tr', { 'data-code': c.code },
          h('td', {}, h('strong', {}, c.code), h('div', { class: 'muted' }, c.name)),
          h('td', {}, c.cameraType), h('td', {}, c.enabled ? '✓' : '✗'),
          h('td', { class: 'num' }, s ? s.capturesPerHour.toFixed(1) : '—'),
          h('td', { class: 'num' }, s?.readRate != null ? percent(s.readRate) : '—'),
          h('td', { class: 'num' }, s?.meanConfidence != null ? percent(s.meanConfidence) : '—'),
          h('td', { class: 'num' }, s ? s.deadLetteredOpen : '—'),
          h('td', {}, s?.lastImageAt ? dateTime(s.lastImageAt) : '—'),
          h('td', {}, h('button', { class: 'small', 'data-edit': c.code, onclick: () => edit(c) }, t('settings'))));
      }))),
    editor);

  function edit(c: Camera): void {
    const field = (label: string, input: HTMLInputElement | HTMLSelectElement) => h('label', {}, label, input);
    const num = (name: string, value: number | null, step: number) => h('input', { name, type: 'number', step, value: value ?? '' });
    const enabled = h('input', { name: 'enabled', type: 'checkbox', checked: c.enabled });
    const detect = num('detectThreshold', c.detectThreshold, 0.05);
    const read = num('readThreshold', c.readThreshold, 0.05);
    const limit = num('speedLimitKmh', c.speedLimitKmh, 1);
    const tolerance = num('speedToleranceKmh', c.speedToleranceKmh, 1);
    const dedup = num('dedupWindowS', c.dedupWindowS, 10);
    const profile = h('select', { name: 'plateProfile' }, ...(['vn', 'generic'] as const).map((p) => h('option', { value: p, selected: c.plateProfile === p }, p)));
    mount(editor, h('form', { class: 'card settings', id: 'camera-form', onsubmit: async (event: Event) => {
      event.preventDefault();
      const patch: Record<string, unknown> = {
        enabled: enabled.checked, detectThreshold: Number(detect.value), readThreshold: Number(read.value),
        speedToleranceKmh: Number(tolerance.value), dedupWindowS: Number(dedup.value), plateProfile: profile.value,
      };
      if (limit.value !== '') patch.speedLimitKmh = Number(limit.value);
      try {
        await api('PATCH', `/api/v1/cameras/${encodeURIComponent(c.code)}`, patch);
        ctx.flash(`${t('saved')}: ${c.code}`);
        await renderCameras(ctx);
      } catch (err) {
        ctx.flash((err as Error).message, 'error');
      }
    } },
    h('h2', {}, `${t('settings')} — ${c.code}`),
    h('label', { class: 'check' }, enabled, t('enabled')),
    field(t('detectThreshold'), detect), field(t('readThreshold'), read),
    field(t('speedLimit'), limit), field(t('speedTolerance'), tolerance),
    field(t('dedupWindow'), dedup), field(t('plateProfile'), profile),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'camera-save' }, t('save')),
      h('button', { type: 'button', onclick: () => editor.replaceChildren() }, t('cancel')))));
    editor.scrollIntoView({ block: 'nearest' });
    detect.focus();
  }
}
