import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { dateTime, money } from '../format.js';
import { t, tk } from '../i18n.js';
import type { Context } from '../main.js';
import { renderPdfPages } from '../pdf-preview.js';

interface Notice { noticeNumber: string; status: string; plate: string; rule: string; cameraCode: string; occurredAt: string;
  amount: number; outstanding: number; issuedAt: string; dueAt: string; pdfSha256: string | null }

export async function renderNotice(ctx: Context, number: string): Promise<void> {
  const n = await api<Notice>('GET', `/api/v1/notices/${encodeURIComponent(number)}`);
  const pdfUrl = `/api/v1/notices/${encodeURIComponent(number)}/pdf`;
  const preview = h('div', { class: 'pdf-preview', id: 'pdf-preview' });
  ctx.onKey = (event) => { if (event.key === 'Escape') ctx.navigate('#/queue'); };
  mount(ctx.app,
    h('h1', {}, t('noticeTitle'), ' ', h('span', { id: 'notice-number' }, n.noticeNumber)),
    h('dl', { class: 'inline' },
      h('dt', {}, t('colPlate')), h('dd', {}, n.plate),
      h('dt', {}, t('colViolation')), h('dd', {}, tk('rule', n.rule)),
      h('dt', {}, t('colTime')), h('dd', {}, dateTime(n.occurredAt)),
      h('dt', {}, t('colFine')), h('dd', {}, money(n.amount)),
      h('dt', {}, t('due')), h('dd', {}, dateTime(n.dueAt)),
      h('dt', {}, 'PDF sha256'), h('dd', { class: 'mono', id: 'pdf-sha' }, n.pdfSha256 ?? '—')),
    h('p', {}, h('a', { href: pdfUrl, target: '_blank', id: 'open-pdf' }, t('openPdf')),
      ctx.me.role === 'finance' ? null : ' · ',
      ctx.me.role === 'finance' ? null : h('a', { href: `#/procedure/${encodeURIComponent(n.noticeNumber)}`, id: 'open-procedure' }, t('procOpen')),
      ' · ', h('a', { href: '#/queue' }, t('back'))),
    preview);
  if (n.pdfSha256) await renderPdfPages(preview, pdfUrl);
}
