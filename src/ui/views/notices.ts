import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { dateTime, money } from '../format.js';
import { t, tk } from '../i18n.js';
import type { Context } from '../main.js';

interface NoticeRow { noticeNumber: string; status: string; plate: string; rule: string; cameraCode: string; amount: number; outstanding: number; issuedAt: string; dueAt: string }
const STATUSES = ['issued', 'escalated', 'resolved', 'cancelled'];
const PAGE_SIZE = 50;

/** Notices, newest first, found by plate, notice number, the owner's ID number or status. */
export async function renderNotices(ctx: Context): Promise<void> {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const offset = Number(params.get('offset') ?? 0);
  const query = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset) });
  for (const key of ['plate', 'number', 'owner_id', 'status']) { const v = params.get(key); if (v) query.set(key, v); }
  const { total, items } = await api<{ total: number; items: NoticeRow[] }>('GET', `/api/v1/notices?${query.toString()}`);

  const plate = h('input', { id: 'search-plate', name: 'plate', value: params.get('plate') ?? '', placeholder: '30A-123.45' });
  const number = h('input', { id: 'search-number', name: 'number', value: params.get('number') ?? '', placeholder: 'PN-PC08-2026-000001' });
  const ownerError = h('span', { class: 'field-error', id: 'owner-error', role: 'alert' });
  const owner = h('input', { id: 'search-owner', name: 'owner_id', inputmode: 'numeric', value: params.get('owner_id') ?? '', 'aria-describedby': 'owner-error' });
  const status = h('select', { id: 'search-status', name: 'status' }, h('option', { value: '' }, t('filterAll')),
    ...STATUSES.map((s) => h('option', { value: s, selected: params.get('status') === s }, tk('nstatus', s))));
  const form = h('form', { class: 'filters', id: 'notice-search', onsubmit: (event: Event) => {
    event.preventDefault();
    ownerError.textContent = '';
    owner.removeAttribute('aria-invalid');
    if (owner.value && !/^[0-9]{10,12}(-?[0-9]{3})?$/.test(owner.value.trim())) {
      ownerError.textContent = t('errOwnerId');
      owner.setAttribute('aria-invalid', 'true');
      owner.focus();
      return;
    }
    const next = new URLSearchParams();
    for (const f of [plate, number, owner, status]) if (f.value.trim()) next.set(f.name, f.value.trim());
    ctx.navigate(`#/notices?${next.toString()}`);
  } },
  h('label', {}, t('searchPlate'), plate), h('label', {}, t('searchNumber'), number),
  h('label', {}, t('searchOwner'), owner, ownerError), h('label', {}, t('colStatus'), status),
  h('button', { type: 'submit', id: 'search-notices' }, t('search')));

  const page = (o: number) => { params.set('offset', String(o)); ctx.navigate(`#/notices?${params.toString()}`); };
  mount(ctx.app, h('h1', {}, `${t('noticesTitle')} (${total})`), form,
    items.length === 0 ? h('p', { class: 'muted empty', id: 'notices-empty' }, t('noticesEmpty')) : h('table', { class: 'grid', id: 'notices' },
      h('thead', {}, h('tr', {}, ...(['colNotice', 'colPlate', 'colViolation', 'colCamera', 'colIssued', 'due', 'colFine', 'colOutstanding', 'colStatus'] as const)
        .map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, ...items.map((n) => h('tr', { class: 'notice-row' },
        h('td', {}, h('a', { href: `#/notice/${encodeURIComponent(n.noticeNumber)}` }, n.noticeNumber),
          ctx.me.role === 'finance' ? null : h('div', {}, h('a', { class: 'muted', href: `#/procedure/${encodeURIComponent(n.noticeNumber)}`,
            'data-procedure': n.noticeNumber }, t('procOpen')))),
        h('td', { class: 'plate' }, n.plate), h('td', {}, tk('rule', n.rule)), h('td', {}, n.cameraCode),
        h('td', {}, dateTime(n.issuedAt)), h('td', {}, dateTime(n.dueAt)), h('td', { class: 'num' }, money(n.amount)),
        h('td', { class: 'num' }, money(n.outstanding)), h('td', {}, tk('nstatus', n.status)))))),
    total > PAGE_SIZE ? h('nav', { class: 'pager', 'aria-label': t('pageOf') },
      h('button', { type: 'button', disabled: offset <= 0, onclick: () => page(Math.max(0, offset - PAGE_SIZE)) }, t('prevPage')),
      h('span', {}, `${t('pageOf')} ${Math.floor(offset / PAGE_SIZE) + 1} / ${Math.ceil(total / PAGE_SIZE)}`),
      h('button', { type: 'button', disabled: offset + PAGE_SIZE >= total, onclick: () => page(offset + PAGE_SIZE) }, t('nextPage'))) : null);
}
