import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { dateTime, money, percent } from '../format.js';
import { t, tk } from '../i18n.js';
import type { Context } from '../main.js';

export interface QueueItem {
  id: number; cameraCode: string; rule: string; occurredAt: string; plateText: string; plateColour: string; matchStatus: string;
  suspectedClone: boolean; readConfidence: number; fineAmount: number; evidenceCount: number; thumbnailUrl: string | null;
  claim: { username: string } | null;
}

const RULES = ['speeding', 'red_light', 'wrong_lane', 'no_entry', 'no_parking'];

export async function fetchQueue(params: URLSearchParams): Promise<{ total: number; items: QueueItem[] }> {
  return api('GET', `/api/v1/review/queue?${params.toString()}`);
}

export async function renderQueue(ctx: Context): Promise<void> {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const { total, items } = await fetchQueue(params);
  const rule = h('select', { id: 'filter-rule', name: 'rule' },
    h('option', { value: '' }, t('filterAll')),
    ...RULES.map((r) => h('option', { value: r, selected: params.get('rule') === r }, tk('rule', r))));
  const minConfidence = h('input', { id: 'filter-confidence', type: 'number', min: 0, max: 1, step: 0.05, value: params.get('min_confidence') ?? '' });
  const filters = h('form', { class: 'filters', onsubmit: (event: Event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (rule.value) next.set('rule', rule.value);
    if (minConfidence.value) next.set('min_confidence', minConfidence.value);
    ctx.navigate(`#/queue?${next.toString()}`);
  } },
  h('label', {}, t('filterRule'), rule), h('label', {}, t('filterMinConfidence'), minConfidence), h('button', { type: 'submit' }, t('apply')));

  const rows = items.map((item) => {
    const thumb = h('div', { class: 'thumb' }, item.thumbnailUrl ? h('img', { src: item.thumbnailUrl, alt: item.plateText, loading: 'lazy' }) : null);
    return h('tr', { class: 'queue-row', 'data-id': item.id, tabindex: 0, onclick: () => ctx.navigate(`#/case/${item.id}`),
      onkeydown: (e: Event) => { if ((e as KeyboardEvent).key === 'Enter') ctx.navigate(`#/case/${item.id}`); } },
    h('td', {}, thumb),
    h('td', { class: 'plate' }, item.plateText, item.suspectedClone ? h('span', { class: 'tag warn' }, '⚠') : null),
    h('td', { class: item.readConfidence < 0.8 ? 'low' : '' }, percent(item.readConfidence)),
    h('td', {}, tk('rule', item.rule)),
    h('td', {}, item.cameraCode),
    h('td', {}, dateTime(item.occurredAt)),
    h('td', { class: 'num' }, money(item.fineAmount)),
    h('td', {}, item.matchStatus, item.claim ? h('div', { class: 'muted' }, `${t('claimedBy')} ${item.claim.username}`) : null));
  });
  mount(ctx.app,
    h('h1', {}, `${t('queueTitle')} (${total})`),
    filters,
    items.length === 0 ? h('p', { class: 'muted', id: 'queue-empty' }, t('queueEmpty')) : h('table', { class: 'grid', id: 'queue' },
      h('thead', {}, h('tr', {}, ...(['colPhoto', 'colPlate', 'colConfidence', 'colViolation', 'colCamera', 'colTime', 'colFine', 'colMatch'] as const)
        .map((k) => h('th', {}, t(k))))),
      h('tbody', {}, ...rows)));
}
