import { api, ApiError } from '../api.js';
import { h, mount } from '../dom.js';
import { dateTime, money, percent } from '../format.js';
import { t, tk } from '../i18n.js';
import type { Context } from '../main.js';
import { fetchQueue } from './queue.js';

interface Box { x: number; y: number; width: number; height: number }
interface Particulars {
  vehicleId: number; plate: string; plateColour: string; vehicleType: string; make: string | null; model: string | null; colour: string | null;
  owner: { fullName: string; identifier: string; address: string; basis: string } | null;
}
interface CaseFile {
  violation: { id: number; status: string; rule: string; violationCode: string; legalClause: string; description: string; occurredAt: string;
    plateText: string; plateColour: string; readConfidence: number; matchStatus: string; suspectedClone: boolean; cloneReason: string | null;
    fineAmount: number; points: number; details: Record<string, unknown> };
  camera: { code: string; name: string; address: string };
  registered: Particulars | null;
  matchCandidates: Array<{ plate?: string; score?: number; vehicleId?: number; particulars: Particulars | null }>;
  claim: { username: string; expiresAt: string } | null;
  evidence: Array<{ captureId: number; capturedAt: string; imageUrl: string; imageSha256: string; width: number; height: number;
    measuredSpeedKmh: number | null; signalPhase: string | null; redElapsedMs: number | null; lane: number | null;
    plateRead: { plateText: string; confidence: number; bbox: Box; cropUrl: string } | null }>;
}

const REASONS = ['plate_unreadable', 'plate_obstructed', 'wrong_vehicle', 'emergency_vehicle', 'duplicate', 'equipment_fault', 'other'];

export async function renderCase(ctx: Context, id: number): Promise<void> {
  let claimNote = t('claimed');
  const claim = await api('POST', `/api/v1/violations/${id}/claim`).catch((err: ApiError) => {
    claimNote = `${t('claimFailed')}: ${err.message}`;
    return null;
  });
  const c = await api<CaseFile>('GET', `/api/v1/violations/${id}`);
  const v = c.violation;
  const pending = v.status === 'pending_review' && claim !== null;

  const act = async (label: string, work: () => Promise<void>) => {
    try { await work(); } catch (err) { ctx.flash(`${label}: ${(err as Error).message}`, 'error'); }
  };
  const approve = () => act(t('approve'), async () => {
    const result = await api<{ noticeNumber: string }>('POST', `/api/v1/violations/${id}/approve`);
    ctx.flash(`${t('approved')} ${result.noticeNumber}`);
    ctx.navigate(`#/notice/${encodeURIComponent(result.noticeNumber)}`);
  });
  const next = () => act(t('next'), async () => {
    const { items } = await fetchQueue(new URLSearchParams({ available: 'true', limit: '20' }));
    const other = items.find((i) => i.id !== id);
    ctx.navigate(other ? `#/case/${other.id}` : '#/queue');
  });

  const reason = h('select', { id: 'reject-reason' }, ...REASONS.map((r) => h('option', { value: r }, tk('reason', r))));
  const note = h('input', { id: 'reject-note', placeholder: t('rejectNote') });
  const rejectDialog = h('dialog', { id: 'reject-dialog' }, h('form', { method: 'dialog', onsubmit: (event: Event) => {
    event.preventDefault();
    void act(t('reject'), async () => {
      await api('POST', `/api/v1/violations/${id}/reject`, { reason: reason.value, ...(note.value ? { note: note.value } : {}) });
      rejectDialog.close();
      ctx.flash(t('rejected'));
      ctx.navigate('#/queue');
    });
  } }, h('h2', {}, t('rejectReason')), reason, note,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'danger', id: 'reject-confirm' }, t('confirm')),
    h('button', { type: 'button', onclick: () => rejectDialog.close() }, t('cancel')))));

  const plateInput = h('input', { id: 'plate-input', value: v.plateText });
  const plateDialog = h('dialog', { id: 'plate-dialog' }, h('form', { onsubmit: (event: Event) => {
    event.preventDefault();
    void act(t('correctPlate'), async () => {
      await api('POST', `/api/v1/violations/${id}/correct-plate`, { plate: plateInput.value.trim() });
      plateDialog.close();
      ctx.flash(t('corrected'));
      await renderCase(ctx, id);
    });
  } }, h('h2', {}, t('newPlate')), plateInput,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'plate-confirm' }, t('confirm')),
    h('button', { type: 'button', onclick: () => plateDialog.close() }, t('cancel')))));

  ctx.onKey = (event) => {
    if (document.querySelector('dialog[open]')) return;
    const key = event.key.toLowerCase();
    if (key === 'a' && pending) void approve();
    else if (key === 'r' && pending) rejectDialog.showModal();
    else if (key === 'c' && pending) plateDialog.showModal();
    else if (key === 'n') void next();
    else if (key === 'escape') ctx.navigate('#/queue');
  };

  const evidence = c.evidence.map((e) => h('figure', { class: 'evidence' },
    h('div', { class: 'photo' },
      h('img', { src: e.imageUrl, alt: `capture ${e.captureId}` }),
      e.plateRead ? h('div', { class: 'box', style: boxStyle(e.plateRead.bbox, e.width, e.height) }) : null),
    h('figcaption', {}, `${dateTime(e.capturedAt)} · sha256 ${e.imageSha256.slice(0, 16)}…`,
      e.measuredSpeedKmh !== null ? ` · ${e.measuredSpeedKmh} km/h` : '',
      e.signalPhase ? ` · ${e.signalPhase}${e.redElapsedMs !== null ? ` +${e.redElapsedMs} ms` : ''}` : '',
      e.lane !== null ? ` · lane ${e.lane}` : '')));
  const firstRead = c.evidence.find((e) => e.plateRead)?.plateRead ?? null;

  mount(ctx.app,
    h('div', { class: 'case-head' },
      h('h1', {}, `${t('caseTitle')} #${v.id}`, h('span', { class: `tag ${v.status}` }, v.status)),
      h('p', { class: pending ? 'ok' : 'muted', id: 'claim-note' }, claimNote)),
    h('div', { class: 'case' },
      h('section', { class: 'left' }, h('h2', {}, t('evidence')), ...evidence),
      h('section', { class: 'right' },
        h('div', { class: 'actions' },
          h('button', { class: 'primary', id: 'approve', disabled: !pending, onclick: approve }, `${t('approve')} (A)`),
          h('button', { class: 'danger', id: 'reject', disabled: !pending, onclick: () => rejectDialog.showModal() }, `${t('reject')} (R)`),
          h('button', { id: 'correct', disabled: !pending, onclick: () => plateDialog.showModal() }, `${t('correctPlate')} (C)`),
          h('button', { id: 'next', onclick: next }, `${t('next')} (N)`)),
        h('p', { class: 'muted shortcuts' }, t('shortcuts')),
        firstRead ? h('div', { class: 'crop' }, h('h2', {}, t('plateCrop')), h('img', { src: firstRead.cropUrl, alt: firstRead.plateText, id: 'plate-crop' }),
          h('div', { class: 'plate big', id: 'plate-text' }, v.plateText), h('div', { class: 'muted' }, `${t('colConfidence')} ${percent(v.readConfidence)}`)) : null,
        h('dl', {},
          h('dt', {}, t('colViolation')), h('dd', {}, `${tk('rule', v.rule)} — ${v.description}`),
          h('dt', {}, t('legalClause')), h('dd', {}, `${v.legalClause} (${v.violationCode})`),
          h('dt', {}, t('colFine')), h('dd', { id: 'fine' }, `${money(v.fineAmount)} · ${t('points')}: ${v.points}`),
          h('dt', {}, t('place')), h('dd', {}, `${c.camera.name} — ${c.camera.address}`),
          h('dt', {}, t('colTime')), h('dd', {}, dateTime(v.occurredAt)),
          h('dt', {}, t('colMatch')), h('dd', {}, v.matchStatus, v.suspectedClone ? h('div', { class: 'warn' }, `⚠ ${v.cloneReason ?? ''}`) : null)),
        h('h2', {}, t('registered')),
        c.registered ? particulars(c.registered) : h('p', { class: 'muted' }, t('noOwner')),
        c.matchCandidates.length ? h('div', {}, h('h3', {}, t('candidates')), h('ul', { class: 'candidates' }, ...c.matchCandidates.map((m) =>
          h('li', {}, `${m.plate ?? ''} (${percent(m.score ?? 0)}) `, m.particulars?.owner ? m.particulars.owner.fullName : '',
            pending && m.vehicleId ? h('button', { class: 'small', onclick: () => act(t('confirmCandidate'), async () => {
              await api('POST', `/api/v1/violations/${id}/confirm-match`, { vehicleId: m.vehicleId });
              await renderCase(ctx, id);
            }) }, t('confirmCandidate')) : null)))) : null)),
    rejectDialog, plateDialog);
}

function particulars(p: Particulars): HTMLElement {
  return h('dl', { id: 'registered' },
    h('dt', {}, t('vehicle')), h('dd', {}, `${p.plate} · ${p.vehicleType} · ${[p.make, p.model, p.colour].filter(Boolean).join(' ')}`),
    h('dt', {}, t('owner')), h('dd', { id: 'owner-name' }, p.owner?.fullName ?? '—'),
    h('dt', {}, t('idNumber')), h('dd', {}, p.owner?.identifier ?? '—'),
    h('dt', {}, t('address')), h('dd', {}, p.owner?.address ?? '—'));
}

/** The plate box as percentages, so it stays on the plate however the photo is scaled. */
function boxStyle(b: Box, width: number, height: number): string {
  return `left:${(b.x / width) * 100}%;top:${(b.y / height) * 100}%;width:${(b.width / width) * 100}%;height:${(b.height / height) * 100}%`;
}
