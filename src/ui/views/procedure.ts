import { api, ApiError } from '../api.js';
import { h, mount } from '../dom.js';
import { dateTime, money } from '../format.js';
import { t, tf, tk } from '../i18n.js';
import type { Context } from '../main.js';

interface Unit { name: string; parentName: string | null; address: string; phone: string }
interface Person { kind: 'person' | 'organisation'; fullName: string; idNumber: string; address: string }
interface Procedure {
  noticeNumber: string; status: string; handlingUnit: Unit | null;
  ownerResponse: { response: string; violatorName: string; violatorIdNumber: string; licenceNumber: string | null; recordedBy: string; recordedAt: string } | null;
  recordNumber: string | null; decisionNumber: string | null; decisionStatus: string | null;
  owner: Person | null;
  violation: { plate: string; occurredAt: string; description: string; legalClause: string; fineMin: number; fineMax: number; points: number };
  limitationLastDay: string;
}
interface OpenRecord { recordNumber: string; noticeNumber: string; plate: string; occurredAt: string; description: string; legalClause: string;
  fineMin: number; fineMax: number; points: number; response: string }
interface Decision {
  decisionNumber: string; issuedAt: string; signedBy: { fullName: string; username: string }; violator: Person & { licenceNumber: string | null };
  totalAmount: number; pointsDeducted: number; status: string; paid: number; outstanding: number;
  items: Array<{ recordNumber: string; noticeNumber: string; plate: string; occurredAt: string; description: string; fineMin: number; fineMax: number;
    fineAmount: number; amountReason: string | null; points: number }>;
  payments: Array<{ amount: number; paidAt: string; reference: string }>;
}

const DIGITS12 = /^[0-9]{12}$/;
const enc = encodeURIComponent;

/** An input with its label and the error shown under it (announced to screen readers). */
function field(id: string, label: string, input: HTMLInputElement | HTMLTextAreaElement) {
  const error = h('span', { class: 'field-error', id: `${id}-error`, role: 'alert' });
  input.id = id;
  input.setAttribute('aria-describedby', `${id}-error`);
  const set = (text: string) => { error.textContent = text; if (text) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid'); };
  return { input, error, set, wrap: h('label', { for: id }, label, input, error) };
}

/**
 * One case after its notice, as the officer at the counter handles it: the owner's response, the
 * violation record, the penalty decision (several records of one violator together) and their PDFs.
 */
export async function renderProcedure(ctx: Context, noticeNumber: string): Promise<void> {
  const p = await api<Procedure>('GET', `/api/v1/notices/${enc(noticeNumber)}/procedure`);
  const closed = p.status === 'resolved' || p.status === 'cancelled';
  const reload = () => renderProcedure(ctx, noticeNumber);
  const v = p.violation;

  const summary = h('dl', { class: 'inline', id: 'proc-summary' },
    h('dt', {}, t('colPlate')), h('dd', { class: 'plate' }, v.plate),
    h('dt', {}, t('colViolation')), h('dd', {}, v.description),
    h('dt', {}, t('legalClause')), h('dd', {}, v.legalClause),
    h('dt', {}, t('fineRange')), h('dd', {}, `${money(v.fineMin)} – ${money(v.fineMax)} · ${t('points')}: ${v.points}`),
    h('dt', {}, t('colTime')), h('dd', {}, dateTime(v.occurredAt)),
    h('dt', {}, t('limitation')), h('dd', {}, p.limitationLastDay),
    h('dt', {}, t('colStatus')), h('dd', { id: 'proc-status' }, tk('nstatus', p.status)),
    h('dt', {}, t('owner')), h('dd', {}, p.owner ? `${p.owner.fullName} · ${p.owner.idNumber} · ${p.owner.address}` : t('noOwner')),
    h('dt', {}, t('handlingUnit')), h('dd', { id: 'proc-unit' }, p.handlingUnit
      ? `${p.handlingUnit.parentName ? `${p.handlingUnit.parentName} — ` : ''}${p.handlingUnit.name}, ${p.handlingUnit.address}, ☎ ${p.handlingUnit.phone}`
      : h('span', { class: 'warn' }, t('noUnit'))));

  mount(ctx.app,
    h('h1', {}, t('procTitle'), ' ', h('span', { id: 'proc-notice' }, p.noticeNumber)),
    h('p', {}, h('a', { href: `#/notice/${enc(p.noticeNumber)}` }, `${t('viewNotice')} ${p.noticeNumber}`), ' · ', h('a', { href: '#/notices' }, t('back'))),
    summary,
    closed && !p.decisionNumber ? h('p', { class: 'empty' }, t('caseClosedNote')) : null,
    responseSection(ctx, p, closed, reload),
    recordSection(ctx, p, closed, reload),
    await decisionSection(ctx, p, closed, reload));
}

function responseSection(ctx: Context, p: Procedure, closed: boolean, reload: () => Promise<void>): HTMLElement {
  const title = h('h2', {}, t('stepResponse'));
  const r = p.ownerResponse;
  if (r) {
    return h('section', { class: 'card step', id: 'step-response' }, title, h('dl', { id: 'response' },
      h('dt', {}, t('responseKind')), h('dd', { id: 'response-kind' }, tk('resp', r.response)),
      h('dt', {}, t('violator')), h('dd', { id: 'response-violator' }, `${r.violatorName} · ${r.violatorIdNumber}`),
      r.licenceNumber ? h('dt', {}, t('licenceNumber')) : null, r.licenceNumber ? h('dd', {}, r.licenceNumber) : null,
      h('dt', {}, t('recordedBy')), h('dd', {}, r.recordedBy),
      h('dt', {}, t('recordedAt')), h('dd', {}, dateTime(r.recordedAt))),
    r.response !== 'non_cooperation' && DIGITS12.test(r.violatorIdNumber)
      ? h('a', { href: `#/points?id=${r.violatorIdNumber}`, id: 'violator-points' }, t('viewPoints')) : null);
  }
  if (closed) return h('section', { class: 'card step', id: 'step-response' }, title, h('p', { class: 'muted' }, t('caseClosedNote')));
  if (!p.owner) return h('section', { class: 'card step', id: 'step-response' }, title, h('p', { class: 'empty' }, t('noOwnerForResponse')));

  const orgOwner = p.owner.kind !== 'person';
  const choiceError = h('p', { class: 'field-error', id: 'response-choice-error', role: 'alert' });
  const choices = (['owner_is_driver', 'driver_named', 'non_cooperation'] as const).map((kind) => {
    const radio = h('input', { type: 'radio', name: 'response', value: kind, id: `resp-${kind}`, disabled: kind === 'owner_is_driver' && orgOwner,
      'aria-describedby': 'response-choice-error', onchange: () => show() });
    return { kind, radio, label: h('label', { class: 'check', for: `resp-${kind}` }, radio, tk('resp', kind)) };
  });
  const ownerLicence = field('owner-licence', t('licenceNumber'), h('input', { inputmode: 'numeric', maxlength: 12, autocomplete: 'off' }));
  const driverId = field('driver-id', t('driverId'), h('input', { inputmode: 'numeric', maxlength: 12, autocomplete: 'off' }));
  const driverName = field('driver-name', t('driverName'), h('input', { maxlength: 200, autocomplete: 'off' }));
  const driverLicence = field('driver-licence', t('licenceNumber'), h('input', { inputmode: 'numeric', maxlength: 12, autocomplete: 'off' }));
  const driverAddress = field('driver-address', t('driverAddress'), h('input', { maxlength: 300, autocomplete: 'off' }));
  const ownerBox = h('div', { class: 'settings', id: 'owner-fields' }, ownerLicence.wrap);
  const driverBox = h('div', { class: 'settings', id: 'driver-fields' }, driverId.wrap, driverName.wrap, driverLicence.wrap, driverAddress.wrap);
  const general = h('p', { class: 'field-error', id: 'response-error', role: 'alert' });
  const chosen = () => choices.find((c) => c.radio.checked)?.kind ?? null;
  const show = () => { ownerBox.hidden = chosen() !== 'owner_is_driver'; driverBox.hidden = chosen() !== 'driver_named'; };
  show();

  const form = h('form', { id: 'response-form', novalidate: true, onsubmit: async (event: Event) => {
    event.preventDefault();
    for (const f of [ownerLicence, driverId, driverName, driverLicence, driverAddress]) f.set('');
    choiceError.textContent = '';
    general.textContent = '';
    const kind = chosen();
    let bad = false;
    const need = (f: ReturnType<typeof field>, test: (v: string) => boolean, text: string) => {
      if (!test(f.input.value.trim())) { f.set(text); if (!bad) f.input.focus(); bad = true; }
    };
    let body: Record<string, unknown>;
    if (kind === 'owner_is_driver') {
      need(ownerLicence, (x) => DIGITS12.test(x), t('errDigits12'));
      body = { response: kind, licenceNumber: ownerLicence.input.value.trim() };
    } else if (kind === 'driver_named') {
      need(driverId, (x) => DIGITS12.test(x), t('errDigits12'));
      need(driverName, (x) => x.length > 0, t('errRequired'));
      need(driverLicence, (x) => DIGITS12.test(x), t('errDigits12'));
      need(driverAddress, (x) => x.length > 0, t('errRequired'));
      body = { response: kind, driver: { nationalId: driverId.input.value.trim(), fullName: driverName.input.value.trim(),
        licenceNumber: driverLicence.input.value.trim(), address: driverAddress.input.value.trim() } };
    } else if (kind === 'non_cooperation') {
      body = { response: kind };
    } else {
      choiceError.textContent = t('errChooseResponse');
      return;
    }
    if (bad) return;
    try {
      await api('POST', `/api/v1/notices/${enc(p.noticeNumber)}/owner-response`, body);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'owner_not_person') choiceError.textContent = err.message;
      else general.textContent = `${t('error')}: ${(err as Error).message}`;
      return;
    }
    ctx.flash(t('responseSaved'));
    await reload();
  } },
  h('fieldset', {}, h('legend', {}, t('responseKind')), ...choices.map((c) => c.label), choiceError),
  orgOwner ? h('p', { class: 'muted' }, t('respOrgNote')) : null,
  ownerBox, driverBox, general,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'response-submit' }, t('saveResponse'))));
  return h('section', { class: 'card step', id: 'step-response' }, title, form);
}

function recordSection(ctx: Context, p: Procedure, closed: boolean, reload: () => Promise<void>): HTMLElement {
  const title = h('h2', {}, t('stepRecord'));
  if (p.recordNumber) {
    return h('section', { class: 'card step', id: 'step-record' }, title,
      h('p', {}, `${t('recordNumber')}: `, h('strong', { id: 'record-number' }, p.recordNumber), ' · ',
        h('a', { href: `/api/v1/records/${enc(p.recordNumber)}/pdf`, target: '_blank', id: 'record-pdf' }, t('openRecordPdf'))));
  }
  if (closed) return h('section', { class: 'card step', id: 'step-record' }, title, h('p', { class: 'muted' }, t('caseClosedNote')));
  if (!p.ownerResponse) return h('section', { class: 'card step', id: 'step-record' }, title, h('p', { class: 'empty', id: 'record-empty' }, t('recordNeedsResponse')));
  if (!p.handlingUnit) return h('section', { class: 'card step', id: 'step-record' }, title, h('p', { class: 'empty' }, t('noUnit')));
  const statement = field('record-statement', t('statement'), h('textarea', { rows: 3, maxlength: 2000 }));
  const form = h('form', { id: 'record-form', novalidate: true, onsubmit: async (event: Event) => {
    event.preventDefault();
    statement.set('');
    const text = statement.input.value.trim();
    try {
      const r = await api<{ recordNumber: string }>('POST', `/api/v1/notices/${enc(p.noticeNumber)}/record`, text ? { statement: text } : {});
      ctx.flash(`${t('recordMade')} ${r.recordNumber}`);
    } catch (err) {
      statement.set(`${t('error')}: ${(err as Error).message}`);
      return;
    }
    await reload();
  } }, statement.wrap, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'record-submit' }, t('makeRecord'))));
  return h('section', { class: 'card step', id: 'step-record' }, title, form);
}

async function decisionSection(ctx: Context, p: Procedure, closed: boolean, reload: () => Promise<void>): Promise<HTMLElement> {
  const title = h('h2', {}, t('stepDecision'));
  if (p.decisionNumber) {
    const d = await api<Decision>('GET', `/api/v1/decisions/${enc(p.decisionNumber)}`);
    return h('section', { class: 'card step', id: 'step-decision' }, title,
      h('dl', { class: 'inline', id: 'decision-view' },
        h('dt', {}, t('decisionNumber')), h('dd', {}, h('strong', { id: 'decision-number' }, d.decisionNumber), ' · ',
          h('a', { href: `/api/v1/decisions/${enc(d.decisionNumber)}/pdf`, target: '_blank', id: 'decision-pdf' }, t('openDecisionPdf'))),
        h('dt', {}, t('issuedAt')), h('dd', {}, dateTime(d.issuedAt)),
        h('dt', {}, t('signedBy')), h('dd', {}, d.signedBy.fullName),
        h('dt', {}, t('violator')), h('dd', {}, `${d.violator.fullName} · ${d.violator.idNumber}`),
        h('dt', {}, t('totalFine')), h('dd', { id: 'decision-total' }, money(d.totalAmount)),
        h('dt', {}, t('pointsDeducted')), h('dd', { id: 'decision-points' }, String(d.pointsDeducted)),
        h('dt', {}, t('colStatus')), h('dd', { id: 'decision-status' }, tk('dstatus', d.status)),
        h('dt', {}, t('colOutstanding')), h('dd', {}, money(d.outstanding))),
      h('h3', {}, t('decisionItems')),
      h('table', { class: 'grid', id: 'decision-items' },
        h('thead', {}, h('tr', {}, ...[t('recordNumber'), t('colNotice'), t('colPlate'), t('colViolation'), t('fineRange'), t('fineDecided'), t('amountReason'), t('points')]
          .map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, ...d.items.map((i) => h('tr', {},
          h('td', { class: 'nowrap' }, i.recordNumber), h('td', { class: 'nowrap' }, h('a', { href: `#/procedure/${enc(i.noticeNumber)}` }, i.noticeNumber)), h('td', { class: 'plate' }, i.plate),
          h('td', {}, i.description), h('td', {}, `${money(i.fineMin)} – ${money(i.fineMax)}`), h('td', { class: 'num nowrap' }, money(i.fineAmount)),
          h('td', {}, i.amountReason ?? '—'), h('td', { class: 'num' }, String(i.points)))))),
      h('h3', {}, t('paymentsTitle')),
      d.payments.length === 0 ? h('p', { class: 'empty', id: 'no-payments' }, t('noPayments')) : h('ul', {}, ...d.payments.map((x) =>
        h('li', {}, `${money(x.amount)} · ${dateTime(x.paidAt)} · ${x.reference}`))),
      d.violator.kind === 'person' && d.pointsDeducted > 0 ? h('a', { href: `#/points?id=${d.violator.idNumber}`, id: 'decision-points-link' }, t('viewPoints')) : null);
  }
  if (closed) return h('section', { class: 'card step', id: 'step-decision' }, title, h('p', { class: 'muted' }, t('caseClosedNote')));
  if (!p.recordNumber || !p.ownerResponse) {
    return h('section', { class: 'card step', id: 'step-decision' }, title, h('p', { class: 'empty', id: 'decision-empty' }, t('decisionNeedsRecord')));
  }
  const { items } = await api<{ items: OpenRecord[] }>('GET', `/api/v1/records?violator_id=${enc(p.ownerResponse.violatorIdNumber)}`);
  const rows = items.map((r) => {
    const mid = (r.fineMin + r.fineMax) / 2;
    const include = h('input', { type: 'checkbox', checked: r.recordNumber === p.recordNumber, 'data-record': r.recordNumber,
      'aria-label': `${t('include')} ${r.recordNumber}`, onchange: () => updateTotal() });
    const amount = field(`amount-${r.recordNumber}`, t('fineDecided'), h('input', { type: 'number', min: r.fineMin, max: r.fineMax, step: 1000, value: mid,
      oninput: () => updateTotal() }));
    const reason = field(`reason-${r.recordNumber}`, t('amountReason'), h('input', { maxlength: 1000 }));
    return { r, mid, include, amount, reason, tr: h('tr', { class: 'open-record', 'data-record': r.recordNumber },
      h('td', {}, include),
      h('td', { class: 'nowrap' }, r.recordNumber, h('div', { class: 'muted' }, h('a', { href: `#/procedure/${enc(r.noticeNumber)}` }, r.noticeNumber))),
      h('td', { class: 'plate' }, r.plate), h('td', {}, r.description, h('div', { class: 'muted' }, dateTime(r.occurredAt))),
      h('td', {}, `${money(r.fineMin)} – ${money(r.fineMax)}`, h('div', { class: 'muted' }, `${t('midpoint')}: ${money(mid)}`)),
      h('td', {}, amount.wrap), h('td', {}, reason.wrap),
      h('td', { class: 'num' }, r.response === 'non_cooperation' ? '0' : String(r.points))) };
  });
  const total = h('strong', { id: 'decision-draft-total' });
  const points = h('strong', { id: 'decision-draft-points' });
  const updateTotal = () => {
    const chosen = rows.filter((x) => x.include.checked);
    total.textContent = money(chosen.reduce((s, x) => s + (Number(x.amount.input.value) || 0), 0));
    points.textContent = String(Math.max(0, ...chosen.map((x) => (x.r.response === 'non_cooperation' ? 0 : x.r.points))));
  };
  updateTotal();
  const general = h('p', { class: 'field-error', id: 'decision-error', role: 'alert' });
  const form = h('form', { id: 'decision-form', novalidate: true, onsubmit: async (event: Event) => {
    event.preventDefault();
    general.textContent = '';
    for (const x of rows) { x.amount.set(''); x.reason.set(''); }
    const chosen = rows.filter((x) => x.include.checked);
    if (chosen.length === 0) { general.textContent = t('errChooseRecord'); return; }
    let bad = false;
    const body = chosen.map((x) => {
      const amount = Number(x.amount.input.value);
      const reason = x.reason.input.value.trim();
      if (!x.amount.input.value || !Number.isInteger(amount) || amount < x.r.fineMin || amount > x.r.fineMax) {
        x.amount.set(tf('errFineRange', { min: money(x.r.fineMin), max: money(x.r.fineMax) }));
        bad = true;
      } else if (amount !== x.mid && !reason) {
        x.reason.set(tf('errReasonRequired', { mid: money(x.mid) }));
        bad = true;
      }
      return { recordNumber: x.r.recordNumber, ...(amount !== x.mid ? { amount } : {}), ...(reason ? { reason } : {}) };
    });
    if (bad) return;
    try {
      const d = await api<{ decisionNumber: string }>('POST', '/api/v1/decisions', { items: body });
      ctx.flash(`${t('decisionIssued')} ${d.decisionNumber}`);
    } catch (err) {
      // the API names the record it refused: put its reason next to that record's amount or reason
      const message = (err as Error).message;
      const target = rows.find((x) => message.includes(x.r.recordNumber));
      const code = err instanceof ApiError ? err.code : '';
      if (target && code === 'fine_out_of_range') target.amount.set(message);
      else if (target && code === 'reason_required') target.reason.set(message);
      else general.textContent = `${t('error')}: ${message}`;
      return;
    }
    await reload();
  } },
  h('p', { class: 'muted' }, t('decisionGroupHelp')),
  h('table', { class: 'grid decision-draft', id: 'open-records' },
    h('thead', {}, h('tr', {}, ...[t('include'), t('recordNumber'), t('colPlate'), t('colViolation'), t('fineRange'), t('fineDecided'), t('amountReason'), t('points')]
      .map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, ...rows.map((x) => x.tr))),
  h('p', {}, `${t('totalFine')}: `, total, ` · ${t('pointsDeducted')}: `, points),
  general,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'decision-submit' }, t('issueDecision'))));
  return h('section', { class: 'card step', id: 'step-decision' }, title, form);
}
