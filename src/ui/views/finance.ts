import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { money } from '../format.js';
import { t } from '../i18n.js';
import type { Context } from '../main.js';

interface Totals { issuedCount: number; issued: number; collectedCount: number; collected: number; outstanding: number }
interface Report { rows: Array<Totals & { key: string }>; total: Totals }

export async function renderFinance(ctx: Context): Promise<void> {
  const to = new Date();
  const from = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() - 11, 1));
  to.setUTCDate(to.getUTCDate() + 1);
  const report = await api<Report>('GET', `/api/v1/finance/totals?group=month&from=${from.toISOString()}&to=${to.toISOString()}`);
  mount(ctx.app,
    h('h1', {}, t('financeTitle')),
    h('div', { class: 'totals' },
      h('div', { class: 'card stat' }, h('div', { class: 'muted' }, t('issued')), h('strong', {}, money(report.total.issued))),
      h('div', { class: 'card stat' }, h('div', { class: 'muted' }, t('collected')), h('strong', { id: 'total-collected' }, money(report.total.collected))),
      h('div', { class: 'card stat' }, h('div', { class: 'muted' }, t('outstanding')), h('strong', { id: 'total-outstanding' }, money(report.total.outstanding)))),
    h('h2', {}, t('byMonth')),
    chart(report.rows),
    h('table', { class: 'grid' },
      h('thead', {}, h('tr', {}, h('th', {}, t('colTime')), h('th', {}, t('issued')), h('th', {}, t('collected')), h('th', {}, t('outstanding')))),
      h('tbody', {}, ...report.rows.map((r) => h('tr', {}, h('td', {}, r.key), h('td', { class: 'num' }, money(r.issued)),
        h('td', { class: 'num' }, money(r.collected)), h('td', { class: 'num' }, money(r.outstanding)))))));
}

/** Collected vs outstanding by month as grouped bars in inline SVG: no chart library, nothing fetched from outside. */
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
