import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { dateTime } from '../format.js';
import { t, tk } from '../i18n.js';
import type { Context } from '../main.js';

interface Ledger {
  nationalId: string; licenceNumbers: string[]; balance: number; restoresAt: string | null;
  entries: Array<{ kind: string; at: string; points: number; balance: number; decisionNumber: string | null }>;
}

/** A driver's licence points: what is left, each deduction by a decision and each restoration. */
export async function renderPoints(ctx: Context): Promise<void> {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const id = params.get('id') ?? '';
  const valid = /^[0-9]{12}$/.test(id);
  const input = h('input', { id: 'points-id', name: 'id', inputmode: 'numeric', maxlength: 12, value: id, autocomplete: 'off', 'aria-describedby': 'points-id-error' });
  const error = h('span', { class: 'field-error', id: 'points-id-error', role: 'alert' });
  if (id && !valid) { error.textContent = t('errDigits12'); input.setAttribute('aria-invalid', 'true'); }
  const form = h('form', { class: 'filters', id: 'points-form', novalidate: true, onsubmit: (event: Event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (!/^[0-9]{12}$/.test(value)) { error.textContent = t('errDigits12'); input.setAttribute('aria-invalid', 'true'); input.focus(); return; }
    ctx.navigate(`#/points?id=${value}`);
  } }, h('label', { for: 'points-id' }, t('personalId'), input, error), h('button', { type: 'submit', id: 'points-show' }, t('show')));

  const ledger = valid ? await api<Ledger>('GET', `/api/v1/points/${id}`) : null;
  mount(ctx.app, h('h1', {}, t('pointsTitle')), h('p', { class: 'muted' }, t('pointsHelp')), form,
    ledger ? h('section', { class: 'card', id: 'ledger' },
      h('dl', { class: 'inline' },
        h('dt', {}, t('personalId')), h('dd', {}, ledger.nationalId),
        h('dt', {}, t('balance')), h('dd', {}, h('strong', { id: 'points-balance' }, `${ledger.balance}/12`)),
        ledger.licenceNumbers.length ? h('dt', {}, t('licences')) : null, ledger.licenceNumbers.length ? h('dd', {}, ledger.licenceNumbers.join(', ')) : null,
        ledger.restoresAt ? h('dt', {}, t('restoresAt')) : null, ledger.restoresAt ? h('dd', { id: 'points-restores' }, dateTime(ledger.restoresAt)) : null),
      ledger.balance === 0 ? h('p', { class: 'warn' }, t('pointsGone')) : null,
      ledger.entries.length === 0 ? h('p', { class: 'empty', id: 'points-empty' }, t('pointsEmpty')) : h('table', { class: 'grid', id: 'points-entries' },
        h('thead', {}, h('tr', {}, ...[t('entryAt'), t('entryKind'), t('entryPoints'), t('entryBalance'), t('decisionNumber')].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, ...ledger.entries.map((e) => h('tr', { class: 'points-entry' },
          h('td', {}, dateTime(e.at)), h('td', {}, tk('entry', e.kind)), h('td', { class: 'num' }, e.kind === 'deduction' ? `−${e.points}` : `${e.points}`),
          h('td', { class: 'num' }, String(e.balance)), h('td', {}, e.decisionNumber ?? '—')))))) : null);
}
