import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { dateTime } from '../format.js';
import { t, tk } from '../i18n.js';
import type { Context } from '../main.js';
import { moreButton, pageUrl, type Paged } from '../paging.js';

/** Entries shown per page of each list; "Xem thêm" fetches the next. */
const PAGE = 50;

interface RegistryEntry { plate: string; vehicleType: string; noticeNumber: string; violationDate: string; dueDate: string; escalatedAt: string; liftedAt: string | null }
interface Form04Entry { noticeNumber: string; formNumber: string | null; plate: string; vehicleType: string; violationDate: string; escalatedAt: string; ownerName: string; ownerAddress: string;
  communePolice: { name: string; address: string; phone: string } | null }

/** Cases still unresolved 20 days after their notice: cars for the inspection registry, motorbikes as form-04 notices. */
export async function renderEscalations(ctx: Context): Promise<void> {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const state = params.get('state') === 'lifted' ? 'lifted' : 'active';
  const page = async <T>(path: string, query: Record<string, string | number>, after: string | null): Promise<Paged<T> & { count: number }> => {
    const r = await api<{ entries: T[]; count: number; nextCursor: string | null }>('GET', pageUrl(path, query, after));
    return { items: r.entries, nextCursor: r.nextCursor, count: r.count };
  };
  const registryPage = (after: string | null) => page<RegistryEntry>('/api/v1/escalations', { state, limit: PAGE }, after);
  const form04Page = (after: string | null) => page<Form04Entry>('/api/v1/escalations/form04', { limit: PAGE }, after);
  const [registry, form04] = await Promise.all([registryPage(null), form04Page(null)]);
  const onError = (message: string) => ctx.flash(message, 'error');
  const link = (n: string) => h('a', { href: `#/procedure/${encodeURIComponent(n)}` }, n);
  const registryRow = (e: RegistryEntry) => h('tr', { class: 'esc-row' },
    h('td', { class: 'plate' }, e.plate), h('td', {}, tk('vtype', e.vehicleType)), h('td', {}, link(e.noticeNumber)),
    h('td', {}, dateTime(e.violationDate)), h('td', {}, dateTime(e.dueDate)), h('td', {}, dateTime(e.escalatedAt)),
    state === 'lifted' ? h('td', {}, e.liftedAt ? dateTime(e.liftedAt) : '—') : null);
  const form04Row = (e: Form04Entry) => h('tr', { class: 'form04-row' },
    h('td', { class: 'plate' }, e.plate), h('td', {}, tk('vtype', e.vehicleType)), h('td', {}, link(e.noticeNumber)),
    // the paper is rendered on first request; an entry escalated before form-04 numbering has no number and no paper
    h('td', {}, e.formNumber ? h('a', { href: `/api/v1/escalations/form04/${encodeURIComponent(e.noticeNumber)}/pdf`, target: '_blank', 'data-form04': e.noticeNumber },
      `${e.formNumber} (PDF)`) : '—'),
    h('td', {}, dateTime(e.violationDate)), h('td', {}, dateTime(e.escalatedAt)), h('td', {}, e.ownerName), h('td', {}, e.ownerAddress),
    h('td', {}, e.communePolice ? `${e.communePolice.name}, ${e.communePolice.address}, ☎ ${e.communePolice.phone}` : h('span', { class: 'warn' }, t('noCommunePolice'))));
  const registryBody = h('tbody', {}, ...registry.items.map(registryRow));
  const form04Body = h('tbody', {}, ...form04.items.map(form04Row));
  const head = (...keys: string[]) => h('thead', {}, h('tr', {}, ...keys.map((k) => h('th', { scope: 'col' }, k))));
  mount(ctx.app, h('h1', {}, t('escTitle')),
    h('section', { class: 'card', id: 'esc-registry' }, h('h2', {}, t('escRegistry')),
      h('nav', { class: 'actions', 'aria-label': t('escRegistry') },
        h('a', { href: '#/escalations', 'aria-current': state === 'active' ? 'page' : null, id: 'esc-active' }, t('escActive')), ' · ',
        h('a', { href: '#/escalations?state=lifted', 'aria-current': state === 'lifted' ? 'page' : null, id: 'esc-lifted' }, t('escLifted')), ' · ',
        h('a', { href: `/api/v1/escalations?state=${state}&format=csv`, download: '', id: 'esc-csv' }, `${t('export')} CSV`)),
      registry.items.length === 0 ? h('p', { class: 'empty', id: 'esc-registry-empty' }, state === 'lifted' ? t('escLiftedEmpty') : t('escRegistryEmpty'))
        : h('table', { class: 'grid', id: 'esc-registry-table' },
          head(t('colPlate'), t('colVehicleType'), t('colNotice'), t('colViolationDate'), t('due'), t('colEscalatedAt'), ...(state === 'lifted' ? [t('colLiftedAt')] : [])),
          registryBody),
      moreButton({ id: 'esc-registry-more', first: registry, total: registry.count, fetch: registryPage, onError,
        append: (items) => registryBody.append(...items.map(registryRow)) })),
    h('section', { class: 'card', id: 'esc-form04' }, h('h2', {}, t('escForm04')),
      form04.items.length === 0 ? h('p', { class: 'empty', id: 'esc-form04-empty' }, t('escForm04Empty'))
        : h('table', { class: 'grid', id: 'esc-form04-table' },
          head(t('colPlate'), t('colVehicleType'), t('colNotice'), t('colForm04'), t('colViolationDate'), t('colEscalatedAt'), t('owner'), t('colOwnerAddress'), t('colCommunePolice')),
          form04Body),
      moreButton({ id: 'esc-form04-more', first: form04, total: form04.count, fetch: form04Page, onError,
        append: (items) => form04Body.append(...items.map(form04Row)) })));
}
