import { h } from '../dom.js';
import { t } from '../i18n.js';

export interface Fraction { x: number; y: number; width: number; height: number }
export interface PixelBox { x: number; y: number; width: number; height: number }

/**
 * The camera's latest frame with its region of interest (pixels) and overlay masks (image fractions)
 * drawn over it; dragging on the frame draws a new region or mask. Positions are set through the
 * style object, which a strict Content-Security-Policy allows.
 */
export function frameRegions(frameUrl: string, roi: PixelBox | null, masks: Fraction[]): {
  element: HTMLElement; value(): { roi: PixelBox | null; overlayMasks: Fraction[] } } {
  let currentRoi = roi;
  let currentMasks = [...masks];
  const img = h('img', { src: frameUrl, alt: t('latestFrame'), draggable: 'false' });
  const layer = h('div', { class: 'regions' });
  const mode = h('select', { id: 'draw-mode', 'aria-label': t('drawMode') },
    h('option', { value: 'mask' }, t('drawMask')), h('option', { value: 'roi' }, t('drawRoi')));
  const list = h('ul', { id: 'mask-list', class: 'mask-list' });
  const status = h('p', { class: 'muted', id: 'frame-status' });
  const place = (el: HTMLElement, f: Fraction) => {
    el.style.left = `${f.x * 100}%`; el.style.top = `${f.y * 100}%`; el.style.width = `${f.width * 100}%`; el.style.height = `${f.height * 100}%`;
  };
  const size = () => ({ w: img.naturalWidth || 1, h: img.naturalHeight || 1 });
  const redraw = () => {
    layer.replaceChildren();
    list.replaceChildren();
    const { w, h: ih } = size();
    if (currentRoi) {
      const el = h('span', { class: 'roi', 'aria-hidden': 'true' });
      place(el, { x: currentRoi.x / w, y: currentRoi.y / ih, width: currentRoi.width / w, height: currentRoi.height / ih });
      layer.append(el);
    }
    currentMasks.forEach((m, i) => {
      const el = h('span', { class: 'mask', 'aria-hidden': 'true' });
      place(el, m);
      layer.append(el);
      list.append(h('li', {}, `${t('drawMask')} ${i + 1}: ${Math.round(m.x * 100)}%, ${Math.round(m.y * 100)}% — ${Math.round(m.width * 100)}% × ${Math.round(m.height * 100)}% `,
        h('button', { type: 'button', class: 'small', onclick: () => { currentMasks.splice(i, 1); redraw(); } }, t('remove'))));
    });
    status.textContent = currentRoi ? `${t('drawRoi')}: ${currentRoi.x}, ${currentRoi.y} — ${currentRoi.width} × ${currentRoi.height} px` : t('wholeFrame');
  };
  const frame = h('div', { class: 'frame', id: 'frame' }, img, layer);
  let start: { x: number; y: number } | null = null;
  const at = (e: PointerEvent) => {
    const r = frame.getBoundingClientRect();
    return { x: Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)), y: Math.min(1, Math.max(0, (e.clientY - r.top) / r.height)) };
  };
  frame.addEventListener('pointerdown', (e) => { start = at(e); frame.setPointerCapture(e.pointerId); e.preventDefault(); });
  frame.addEventListener('pointerup', (e) => {
    if (!start) return;
    const end = at(e);
    const f = { x: Math.min(start.x, end.x), y: Math.min(start.y, end.y), width: Math.abs(end.x - start.x), height: Math.abs(end.y - start.y) };
    start = null;
    if (f.width < 0.01 || f.height < 0.01) return;
    const round = (v: number) => Math.round(v * 10000) / 10000;
    if (mode.value === 'mask') currentMasks.push({ x: round(f.x), y: round(f.y), width: round(Math.min(f.width, 1 - f.x)), height: round(Math.min(f.height, 1 - f.y)) });
    else {
      const { w, h: ih } = size();
      currentRoi = { x: Math.round(f.x * w), y: Math.round(f.y * ih), width: Math.max(8, Math.round(f.width * w)), height: Math.max(8, Math.round(f.height * ih)) };
    }
    redraw();
  });
  img.addEventListener('load', redraw);
  img.addEventListener('error', () => { frame.replaceChildren(h('p', { class: 'empty' }, t('noFrame'))); });
  const element = h('div', { class: 'frame-editor' }, h('h3', {}, t('regionsTitle')),
    h('p', { class: 'muted' }, t('regionsHelp')),
    h('div', { class: 'actions' }, mode, h('button', { type: 'button', id: 'clear-roi', onclick: () => { currentRoi = null; redraw(); } }, t('clearRoi'))),
    frame, status, list);
  redraw();
  return { element, value: () => ({ roi: currentRoi, overlayMasks: currentMasks }) };
}
