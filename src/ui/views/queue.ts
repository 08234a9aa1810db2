import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { dateTime, money, percent } from '../format.js';
import { t, tk } from '../i18n.js';
import type { Context } from '../main.js';
import { allPages, pageUrl, type Paged } from '../paging.js';

export interface QueueItem {
  id: number; cameraId: number; cameraCode: string; rule: string; occurredAt: string; plateText: string; plateColour: string; matchStatus: string;
  suspectedClone: boolean; reviewWarning?: string | null; readConfidence: number; fineAmount: number; evidenceCount: number; daysLeft: number; thumbnailUrl: string | null;
  claim: { username: string } | null;
}

const RULES = ['speeding', 'red_light', 'wrong_lane', 'no_entry', 'wrong_way', 'no_parking', 'no_stopping', 'stop_line', 'road_markings',
  'no_left_turn', 'no_right_turn', 'solid_line', 'emergency_lane', 'pavement', 'no_helmet_rider', 'no_helmet_passenger', 'phone',
  'no_seat_belt_driver', 'no_seat_belt_passenger', 'three_on_motorbike'];
const MATCHES = ['exact', 'fuzzy', 'ambiguous', 'unknown', 'foreign', 'corrected'];
const SORTS = ['occurred_at', 'read_confidence', 'fine_amount', 'plate', 'camera'];
const PAGE_SIZE = 50;
/** Filters kept in the address (so a filtered page can be reloaded or shared) and sent to the API as they are. */
const PASSED = ['camera_id', 'rule', 'min_confidence', 'match_status', 'max_days_left', 'sort', 'order', 'offset'];

export async function fetchQueue(params: URLSearchParams): Promise<{ total: number; items: QueueItem[] }> {
  return api('GET', `/api/v1/review/queue?${params.toString()}`);
}

/** A calendar day typed in the page is a day in Vietnam: midnight +07:00. */
const vnMidnight = (day: string, plusDays = 0) => new Date(Date.parse(`${day}T00:00:00+07:00`) + plusDays * 86_400_000).toISOString();

export async function renderQueue(ctx: Context): Promise<void> {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  for (const key of PASSED) { const value = params.get(key); if (value) query.set(key, value); }
  if (params.get('from')) query.set('from', vnMidnight(params.get('from')!));
  if (params.get('to')) query.set('to', vnMidnight(params.get('to')!, 1));
  // the filter offers every camera, not only those of the cases shown: all pages of the names
  const [{ total, items }, allCameras] = await Promise.all([fetchQueue(query),
    allPages((after) => api<Paged<{ id: number; code: string; name: string }>>('GET', pageUrl('/api/v1/cameras/names', { limit: 1000 }, after)))]);
  const offset = Number(params.get('offset') ?? 0);

  const select = (id: string, name: string, values: string[], label: (v: string) => string, all = true) => h('select', { id, name },
    all ? h('option', { value: '' }, t('filterAll')) : null,
    ...values.map((v) => h('option', { value: v, selected: params.get(name) === v }, label(v))));
  const cameras = new Map(allCameras.map((c) => [String(c.id), `${c.code} — ${c.name}`]));
  const camera = select('filter-camera', 'camera_id', [...cameras.keys()], (id) => cameras.get(id) ?? id);
  const rule = select('filter-rule', 'rule', RULES, (r) => tk('rule', r));
  const match = select('filter-match', 'match_status', MATCHES, (m) => tk('match', m));
  const sort = select('filter-sort', 'sort', SORTS, (s) => tk('sort', s), false);
  const order = h('select', { id: 'filter-order', name: 'order' },
    h('option', { value: 'asc' }, t('sortAsc')), h('option', { value: 'desc', selected: params.get('order') === 'desc' }, t('sortDesc')));
  const from = h('input', { id: 'filter-from', name: 'from', type: 'date', value: params.get('from') ?? '' });
  const to = h('input', { id: 'filter-to', name: 'to', type: 'date', value: params.get('to') ?? '' });
  const minConfidence = h('input', { id: 'filter-confidence', name: 'min_confidence', type: 'number', min: 0, max: 1, step: 0.05, value: params.get('min_confidence') ?? '' });
  const daysLeft = h('input', { id: 'filter-days-left', name: 'max_days_left', type: 'number', min: 0, max: 10, step: 1, value: params.get('max_days_left') ?? '' });
  const fields = [camera, rule, match, from, to, minConfidence, daysLeft, sort, order];
  const go = (changes: Record<string, string>) => {
    const next = new URLSearchParams();
    for (const f of fields) if (f.value) next.set(f.name, f.value);
    for (const [k, v] of Object.entries(changes)) { if (v) next.set(k, v); else next.delete(k); }
    ctx.navigate(`#/queue?${next.toString()}`);
  };
  const filters = h('form', { class: 'filters', id: 'queue-filters', onsubmit: (event: Event) => { event.preventDefault(); go({ offset: '' }); } },
    h('label', {}, t('filterCamera'), camera), h('label', {}, t('filterRule'), rule), h('label', {}, t('filterMatch'), match),
    h('label', {}, t('filterFrom'), from), h('label', {}, t('filterTo'), to),
    h('label', {}, t('filterMinConfidence'), minConfidence), h('label', {}, t('filterDaysLeft'), daysLeft),
    h('label', {}, t('sortBy'), sort), h('label', {}, t('sortOrder'), order),
    h('button', { type: 'submit', id: 'apply-filters' }, t('apply')),
    h('button', { type: 'button', class: 'link', onclick: () => ctx.navigate('#/queue') }, t('clearFilters')));

  const rows = items.map((item) => {
    const thumb = h('div', { class: 'thumb' }, item.thumbnailUrl ? h('img', { src: item.thumbnailUrl, alt: `${t('plateCrop')} ${item.plateText}`, loading: 'lazy' }) : null);
    return h('tr', { class: 'queue-row', 'data-id': item.id, tabindex: 0, onclick: () => ctx.navigate(`#/case/${item.id}`),
      onkeydown: (e: Event) => { if ((e as KeyboardEvent).key === 'Enter') ctx.navigate(`#/case/${item.id}`); } },
    h('td', {}, thumb),
    h('td', { class: 'plate' }, item.plateText, item.suspectedClone ? h('span', { class: 'tag warn', title: tk('match', 'corrected') }, '⚠') : null,
      item.reviewWarning ? h('span', { class: 'tag warn', title: item.reviewWarning }, '⚠') : null),
    h('td', { class: item.readConfidence < 0.8 ? 'low' : '' }, percent(item.readConfidence)),
    h('td', {}, tk('rule', item.rule)),
    h('td', {}, item.cameraCode),
    h('td', {}, dateTime(item.occurredAt)),
    h('td', { class: item.daysLeft <= 2 ? 'low' : '' }, item.daysLeft < 0 ? t('overdue') : `${item.daysLeft} ${t('days')}`),
    h('td', { class: 'num' }, money(item.fineAmount)),
    h('td', {}, tk('match', item.matchStatus), item.claim ? h('div', { class: 'muted' }, `${t('claimedBy')} ${item.claim.username}`) : null));
  });
  const filtered = [...params.keys()].some((k) => k !== 'offset' && k !== 'sort' && k !== 'order');
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const pager = h('nav', { class: 'pager', 'aria-label': t('pageOf') },
    h('button', { type: 'button', id: 'prev-page', disabled: offset <= 0, onclick: () => go({ offset: String(Math.max(0, offset - PAGE_SIZE)) }) }, t('prevPage')),
    h('span', { id: 'page-info' }, `${t('pageOf')} ${Math.floor(offset / PAGE_SIZE) + 1} / ${pages}`),
    h('button', { type: 'button', id: 'next-page', disabled: offset + PAGE_SIZE >= total, onclick: () => go({ offset: String(offset + PAGE_SIZE) }) }, t('nextPage')));
  mount(ctx.app,
    h('h1', {}, `${t('queueTitle')} (${total})`),
    filters,
    items.length === 0 ? h('p', { class: 'muted empty', id: 'queue-empty' }, filtered ? t('queueEmptyFiltered') : t('queueEmpty')) : h('table', { class: 'grid', id: 'queue' },
      h('thead', {}, h('tr', {}, ...(['colPhoto', 'colPlate', 'colConfidence', 'colViolation', 'colCamera', 'colTime', 'colDaysLeft', 'colFine', 'colMatch'] as const)
        .map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, ...rows)),
    total > PAGE_SIZE ? pager : null);
}
