import { api, ApiError } from '../api.js';
import { h, mount } from '../dom.js';
import { dateTime, money } from '../format.js';
import { t, tk } from '../i18n.js';
import type { Context } from '../main.js';
import { moreButton, pageUrl, type Paged } from '../paging.js';

interface Totals { issuedCount: number; issued: number; collectedCount: number; collected: number; outstanding: number }
interface Report { rows: Array<Totals & { key: string }>; total: Totals }
interface OutstandingSummary { count: number; total: number; buckets: Array<{ bucket: string; count: number; amount: number }> }
interface OutstandingItem { noticeNumber: string; plate: string; cameraCode: string; rule: string; outstanding: number; issuedAt: string; dueAt: string; ageDays: number }
type OutstandingList = Paged<OutstandingItem>;
type Outstanding = OutstandingSummary & OutstandingList;
interface Reconciliation { lines: number; matched: number; alreadyRecorded: number; unmatched: number; matchedAmount: number; unmatchedAmount: number;
  outcomes: Array<{ line: number; status: string; reason?: string; noticeNumber: string | null; amount: number | null; reference: string | null }> }

const GROUPS = ['month', 'camera', 'rule'] as const;
/** Outstanding notices shown per page, oldest first; "Xem thêm" fetches the next. */
const OUTSTANDING_PAGE = 200;
const METHODS = ['cash', 'bank_transfer', 'treasury', 'online'];
const vnDay = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(d);
const vnMidnight = (day: string) => new Date(`${day}T00:00:00+07:00`);

/** Finance: totals by period, camera or violation type with a chart and exports; payments; statement import; aging. */
export async function renderFinance(ctx: Context): Promise<void> {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const today = new Date();
  const yearAgo = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 11, 1));
  const fromDay = params.get('from') ?? vnDay(yearAgo);
  const toDay = params.get('to') ?? vnDay(today);
  const group = (GROUPS as readonly string[]).includes(params.get('group') ?? '') ? params.get('group')! : 'month';
  const to = new Date(vnMidnight(toDay).getTime() + 86_400_000);
  const range = `from=${encodeURIComponent(vnMidnight(fromDay).toISOString())}&to=${encodeURIComponent(to.toISOString())}&group=${group}`;
  // the summary and the oldest page asked apart: the page alone is an index walk, the summary reads every unpaid notice
  const asOf = encodeURIComponent(today.toISOString());
  const outstandingPage = (after: string | null) => api<OutstandingList>('GET', pageUrl('/api/v1/finance/outstanding',
    { asOf: today.toISOString(), limit: OUTSTANDING_PAGE, summary: 'false' }, after));
  const [report, summary, oldest] = await Promise.all([
    api<Report>('GET', `/api/v1/finance/totals?${range}`),
    api<OutstandingSummary>('GET', `/api/v1/finance/outstanding/summary?asOf=${asOf}`),
    outstandingPage(null),
  ]);
  const outstanding: Outstanding = { ...summary, ...oldest };
  const label = (key: string) => (group === 'rule' ? tk('rule', key) : key);

  const from = h('input', { type: 'date', id: 'period-from', name: 'from', value: fromDay });
  const until = h('input', { type: 'date', id: 'period-to', name: 'to', value: toDay });
  const groupSelect = h('select', { id: 'period-group', name: 'group' }, ...GROUPS.map((g) => h('option', { value: g, selected: g === group }, t(`group_${g}`))));
  const periodError = h('span', { class: 'field-error', id: 'period-error', role: 'alert' });
  const periodForm = h('form', { class: 'filters', id: 'period-form', onsubmit: (event: Event) => {
    event.preventDefault();
    if (!from.value || !until.value || from.value > until.value) { periodError.textContent = t('errPeriod'); from.setAttribute('aria-invalid', 'true'); return; }
    ctx.navigate(`#/finance?from=${from.value}&to=${until.value}&group=${groupSelect.value}`);
  } }, h('label', {}, t('filterFrom'), from), h('label', {}, t('filterTo'), until, periodError), h('label', {}, t('groupBy'), groupSelect),
  h('button', { type: 'submit' }, t('apply')));

  mount(ctx.app,
    h('h1', {}, t('financeTitle')),
    periodForm,
    h('div', { class: 'totals' },
      h('div', { class: 'card stat' }, h('div', { class: 'muted' }, t('issued')), h('strong', {}, money(report.total.issued))),
      h('div', { class: 'card stat' }, h('div', { class: 'muted' }, t('collected')), h('strong', { id: 'total-collected' }, money(report.total.collected))),
      h('div', { class: 'card stat' }, h('div', { class: 'muted' }, t('outstanding')), h('strong', { id: 'total-outstanding' }, money(report.total.outstanding)))),
    h('h2', {}, t(`group_${group}` as 'group_month')),
    report.rows.length ? chart(report.rows.map((r) => ({ ...r, key: label(r.key) }))) : h('p', { class: 'empty' }, t('financeEmpty')),
    h('p', { class: 'exports' }, `${t('export')}: `,
      h('a', { href: `/api/v1/finance/totals?${range}&format=csv`, download: '', id: 'export-csv' }, 'CSV'), ' · ',
      h('a', { href: `/api/v1/finance/totals?${range}&format=xlsx`, download: '', id: 'export-xlsx' }, 'Excel (.xlsx)')),
    h('table', { class: 'grid', id: 'totals' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t(`group_${group}` as 'group_month')), h('th', { scope: 'col' }, t('issued')),
        h('th', { scope: 'col' }, t('collected')), h('th', { scope: 'col' }, t('outstanding')))),
      h('tbody', {}, ...report.rows.map((r) => h('tr', {}, h('td', {}, label(r.key)), h('td', { class: 'num' }, money(r.issued)),
        h('td', { class: 'num' }, money(r.collected)), h('td', { class: 'num' }, money(r.outstanding)))))),
    h('div', { class: 'finance-forms' }, paymentForm(ctx), importForm()),
    agingSection(outstanding, outstandingPage, (message) => ctx.flash(message, 'error')));
}

function field(id: string, text: string, input: HTMLInputElement | HTMLSelectElement): { wrap: HTMLElement; error: HTMLElement } {
  const error = h('span', { class: 'field-error', id: `${id}-error`, role: 'alert' });
  input.id = id;
  input.setAttribute('aria-describedby', `${id}-error`);
  return { wrap: h('label', { for: id }, text, input, error), error };
}

/** A typed decision number (QD-…, also QĐ-…) or notice number (PN-…) in canonical form, or null. */
function paymentTarget(text: string): { decisionNumber: string } | { noticeNumber: string } | null {
  const n = text.trim().toUpperCase().replace(/^QĐ-/u, 'QD-');
  if (/^QD-[A-Z0-9]{2,12}-\d{4}-\d{6}$/.test(n)) return { decisionNumber: n };
  if (/^PN-[A-Z0-9]+-\d{4}-\d{6}$/.test(n)) return { noticeNumber: n };
  return null;
}

/**
 * A fine is paid against its penalty decision: finance types the decision number, or the notice number the
 * payer quoted (the API finds the decision covering it). Every reason the API gives is shown next to its field.
 */
function paymentForm(ctx: Context): HTMLElement {
  const number = field('pay-number', t('payTarget'), h('input', { name: 'number', placeholder: 'QD-PC08-2026-000001 / PN-PC08-2026-000001' }));
  const amount = field('pay-amount', `${t('amount')} (₫)`, h('input', { name: 'amount', type: 'number', min: 1, step: 1 }));
  const paidAt = field('pay-date', t('paidAt'), h('input', { name: 'paidAt', type: 'datetime-local' }));
  const method = field('pay-method', t('method'), h('select', { name: 'method' }, ...METHODS.map((m) => h('option', { value: m }, t(`method_${m}` as 'method_cash')))));
  const reference = field('pay-reference', t('reference'), h('input', { name: 'reference', maxlength: 100 }));
  const all = [number, amount, paidAt, method, reference];
  const input = (f: { wrap: HTMLElement }) => f.wrap.querySelector('input, select') as HTMLInputElement;
  const fail = (f: { wrap: HTMLElement; error: HTMLElement }, message: string) => { f.error.textContent = message; input(f).setAttribute('aria-invalid', 'true'); };
  const result = h('p', { id: 'pay-result', role: 'status' });
  return h('form', { class: 'card settings', id: 'payment-form', novalidate: true, onsubmit: async (event: Event) => {
    event.preventDefault();
    for (const f of all) { f.error.textContent = ''; input(f).removeAttribute('aria-invalid'); }
    result.textContent = '';
    const target = paymentTarget(input(number).value);
    let bad = false;
    if (!target) { fail(number, t('errPayTarget')); bad = true; }
    if (!(Number(input(amount).value) > 0)) { fail(amount, t('errAmount')); bad = true; }
    if (!input(paidAt).value) { fail(paidAt, t('errRequired')); bad = true; }
    if (!input(reference).value.trim()) { fail(reference, t('errRequired')); bad = true; }
    if (bad || !target) return;
    try {
      const payment = await api<{ decisionNumber: string | null; noticeNumber: string }>('POST', '/api/v1/payments', { ...target, amount: Number(input(amount).value),
        paidAt: new Date(`${input(paidAt).value}:00+07:00`).toISOString(), method: input(method).value, reference: input(reference).value.trim() });
      const paid = 'noticeNumber' in target ? `${payment.decisionNumber ?? ''} (${t('colNotice').toLowerCase()} ${target.noticeNumber})` : target.decisionNumber;
      result.textContent = `${t('paymentRecorded')} ${paid}`;
      ctx.flash(`${t('paymentRecorded')} ${paid}`);
    } catch (err) {
      const e = err as ApiError;
      switch (e.code) {
        case 'unknown_notice': fail(number, t('errUnknownNotice')); break;
        case 'unknown_decision': fail(number, t('errUnknownDecision')); break;
        case 'no_decision': fail(number, t('errNoDecision')); break;
        case 'notice_already_paid': case 'decision_already_paid': fail(number, t('errAlreadyPaid')); break;
        case 'notice_cancelled': fail(number, t('errCancelled')); break;
        case 'amount_mismatch': fail(amount, `${t('errMismatch')} ${money(Number(e.details.outstanding ?? 0))}`); break;
        case 'paid_in_future': fail(paidAt, t('errFuture')); break;
        case 'paid_before_notice': fail(paidAt, t('errBeforeNotice')); break;
        case 'reference_reused': fail(reference, t('errReference')); break;
        case 'blank_reference': fail(reference, t('errRequired')); break;
        default: result.textContent = `${t('error')}: ${e.message}`;
      }
    }
  } }, h('h2', {}, t('recordPayment')), ...all.map((f) => f.wrap), h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'pay-submit' }, t('save'))), result);
}

function importForm(): HTMLElement {
  const file = field('statement-file', t('statementFile'), h('input', { type: 'file', name: 'file', accept: '.csv,text/csv' }));
  const method = field('statement-method', t('method'), h('select', { name: 'method' },
    h('option', { value: 'bank_transfer' }, t('method_bank_transfer')), h('option', { value: 'treasury' }, t('method_treasury'))));
  const progress = h('progress', { id: 'import-progress', max: 100, value: 0, hidden: true, 'aria-label': t('importing') });
  const report = h('div', { id: 'import-report' });
  const fileInput = file.wrap.querySelector('input') as HTMLInputElement;
  return h('form', { class: 'card settings', id: 'import-form', onsubmit: (event: Event) => {
    event.preventDefault();
    file.error.textContent = '';
    const chosen = fileInput.files?.[0];
    if (!chosen) { file.error.textContent = t('errChooseFile'); return; }
    const body = new FormData();
    body.append('method', (method.wrap.querySelector('select') as HTMLSelectElement).value);
    body.append('file', chosen);
    // XMLHttpRequest, not fetch: it reports upload progress for the bar
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/payments/import');
    progress.hidden = false;
    progress.value = 0;
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 90); };
    xhr.onload = () => {
      progress.value = 100;
      const data = JSON.parse(xhr.responseText || '{}') as Reconciliation & { error?: string; message?: string };
      if (xhr.status !== 200) { file.error.textContent = data.error === 'invalid_statement' ? `${t('errStatement')} (${data.message ?? ''})` : `${t('error')}: ${data.message ?? xhr.status}`; progress.hidden = true; return; }
      mount(report, reconciliationView(data));
    };
    xhr.onerror = () => { file.error.textContent = t('errNetwork'); progress.hidden = true; };
    xhr.send(body);
  } }, h('h2', {}, t('importStatement')), file.wrap, method.wrap, h('p', { class: 'muted' }, t('statementHelp')),
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'import-submit' }, t('importStatement'))), progress, report);
}

function reconciliationView(r: Reconciliation): HTMLElement {
  return h('div', { id: 'reconciliation' },
    h('p', { id: 'reconciliation-summary' }, `${t('lines')}: ${r.lines} · ${t('matched')}: ${r.matched} (${money(r.matchedAmount)}) · `
      + `${t('alreadyRecorded')}: ${r.alreadyRecorded} · ${t('unmatched')}: ${r.unmatched} (${money(r.unmatchedAmount)})`),
    h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, ...['line', 'colStatus', 'colPaidFor', 'amount', 'reference'].map((k) => h('th', { scope: 'col' }, t(k as 'amount'))))),
      h('tbody', {}, ...r.outcomes.map((o) => h('tr', { class: o.status === 'unmatched' ? 'low' : '' }, h('td', {}, o.line),
        h('td', {}, t(`outcome_${o.status}` as 'matched'), o.reason ? ` — ${t(`why_${o.reason}` as 'matched') ?? o.reason}` : ''),
        h('td', {}, o.noticeNumber ?? '—'), h('td', { class: 'num' }, o.amount !== null ? money(o.amount) : '—'), h('td', {}, o.reference ?? '—'))))));
}

function agingSection(o: Outstanding, fetch: (after: string) => Promise<OutstandingList>, onError: (message: string) => void): HTMLElement {
  const row = (i: OutstandingItem) => h('tr', {}, h('td', {}, i.noticeNumber), h('td', { class: 'plate' }, i.plate), h('td', {}, tk('rule', i.rule)),
    h('td', {}, dateTime(i.issuedAt)), h('td', {}, dateTime(i.dueAt)), h('td', { class: 'num' }, i.ageDays), h('td', { class: 'num' }, money(i.outstanding)));
  const body = h('tbody', {}, ...o.items.map(row));
  return h('section', { id: 'aging' }, h('h2', {}, `${t('agingTitle')} (${o.count} · ${money(o.total)})`),
    h('div', { class: 'totals' }, ...o.buckets.map((b) => h('div', { class: 'card stat' }, h('div', { class: 'muted' }, `${b.bucket} ${t('days')}`),
      h('strong', {}, money(b.amount)), h('div', { class: 'muted' }, `${b.count} ${t('noticesCount')}`)))),
    h('p', { class: 'exports' }, `${t('export')}: `, h('a', { href: '/api/v1/finance/outstanding?format=csv', download: '' }, 'CSV'), ' · ',
      h('a', { href: '/api/v1/finance/outstanding?format=xlsx', download: '' }, 'Excel (.xlsx)')),
    o.items.length === 0 ? h('p', { class: 'empty' }, t('agingEmpty')) : h('table', { class: 'grid', id: 'outstanding' },
      h('thead', {}, h('tr', {}, ...(['colNotice', 'colPlate', 'colViolation', 'colIssued', 'due', 'ageDays', 'colOutstanding'] as const).map((k) => h('th', { scope: 'col' }, t(k))))),
      body),
    o.items.length === 0 ? null : moreButton({ id: 'outstanding-more', first: o, total: o.count, fetch, onError, append: (items) => body.append(...items.map(row)) }));
}

/** Collected vs outstanding per row as grouped bars in inline SVG: no chart library, nothing fetched from outside. */
function chart(rows: Report['rows']): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const width = 900;
  const height = 260;
  const pad = { left: 90, bottom: 30, top: 20 };
  const max = Math.max(1, ...rows.flatMap((r) => [r.collected, r.outstanding]));
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('id', 'finance-chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `${t('collected')} / ${t('outstanding')}`);
  const el = (tag: string, attrs: Record<string, string | number>, text?: string) => {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text) node.textContent = text;
    svg.append(node);
  };
  const plotH = height - pad.bottom - pad.top;
  for (let i = 0; i <= 4; i++) {
    const y = pad.top + plotH - (plotH * i) / 4;
    el('line', { x1: pad.left, x2: width, y1: y, y2: y, class: 'gridline' });
    el('text', { x: pad.left - 6, y: y + 4, 'text-anchor': 'end', class: 'axis' }, money(Math.round((max * i) / 4)));
  }
  const slot = (width - pad.left) / Math.max(rows.length, 1);
  rows.forEach((r, i) => {
    const x = pad.left + i * slot + slot * 0.15;
    const bar = slot * 0.33;
    const hc = (plotH * r.collected) / max;
    const ho = (plotH * r.outstanding) / max;
    el('rect', { x, y: pad.top + plotH - hc, width: bar, height: hc, class: 'bar collected' });
    el('rect', { x: x + bar, y: pad.top + plotH - ho, width: bar, height: ho, class: 'bar outstanding' });
    el('text', { x: x + bar, y: height - 10, 'text-anchor': 'middle', class: 'axis' }, r.key);
  });
  el('rect', { x: width - 260, y: 2, width: 12, height: 12, class: 'bar collected' });
  el('text', { x: width - 244, y: 12, class: 'axis' }, t('collected'));
  el('rect', { x: width - 140, y: 2, width: 12, height: 12, class: 'bar outstanding' });
  el('text', { x: width - 124, y: 12, class: 'axis' }, t('outstanding'));
  return svg;
}
