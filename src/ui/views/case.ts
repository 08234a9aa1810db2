import { api, ApiError } from '../api.js';
import { h, mount } from '../dom.js';
import { dateTime, money, percent } from '../format.js';
import { t, tf, tk } from '../i18n.js';
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
    reviewWarning: string | null; fineAmount: number; points: number; details: Record<string, unknown> };
  camera: { code: string; name: string; address: string };
  registered: Particulars | null;
  matchCandidates: Array<{ plate?: string; score?: number; vehicleId?: number; particulars: Particulars | null }>;
  claim: { username: string; expiresAt: string } | null;
  decision: { username: string; at: string; rejectReason: string | null; rejectNote: string | null; noticeNumber: string | null } | null;
  evidence: Array<{ captureId: number; capturedAt: string; imageUrl: string; imageSha256: string; width: number; height: number;
    measuredSpeedKmh: number | null; signalPhase: string | null; redElapsedMs: number | null; amberElapsedMs: number | null; lane: number | null;
    plateRead: { plateText: string; confidence: number; bbox: Box; cropUrl: string } | null; media: Media[] }>;
}

/** A further frame of a capture (the capture's own image is frame 0) or its video clip, served verified by its sha256. */
interface Media { seq: number; kind: 'frame' | 'clip'; sha256: string; contentType: string; url: string }

const REASONS = ['plate_unreadable', 'plate_obstructed', 'wrong_vehicle', 'emergency_vehicle', 'duplicate', 'equipment_fault', 'other'];

/** The case this browser holds a claim on, given back when the officer leaves it. */
let heldCase: number | null = null;

/** Releases the claim on the case being left (any page but that case); a claim already gone is no error. */
export async function releaseOnLeave(stayingOn: number | null): Promise<void> {
  if (heldCase === null || heldCase === stayingOn) return;
  const id = heldCase;
  heldCase = null;
  await fetch(`/api/v1/violations/${id}/release`, { method: 'POST', credentials: 'same-origin', keepalive: true }).catch(() => undefined);
}

export async function renderCase(ctx: Context, id: number): Promise<void> {
  const first = await api<CaseFile>('GET', `/api/v1/violations/${id}`);
  let claimNote = t('claimed');
  let claimedByOther = false;
  const claim = first.violation.status !== 'pending_review' ? null : await api('POST', `/api/v1/violations/${id}/claim`).catch((err: ApiError) => {
    claimNote = `${t('claimFailed')}: ${err.status === 409 && first.claim ? `${t('claimedBy')} ${first.claim.username}` : err.message}`;
    claimedByOther = err.status === 409;
    return null;
  });
  if (claim) heldCase = id;
  const c = claim ? await api<CaseFile>('GET', `/api/v1/violations/${id}`) : first;
  const v = c.violation;
  const pending = v.status === 'pending_review' && claim !== null;
  if (v.status !== 'pending_review') claimNote = '';

  const act = async (label: string, work: () => Promise<void>) => {
    try { await work(); } catch (err) { ctx.flash(`${label}: ${(err as Error).message}`, 'error'); }
  };
  const doApprove = () => act(t('approve'), async () => {
    // reached only through the risk dialog when the case has a warning: the officer confirmed it there
    const result = await api<{ noticeNumber: string }>('POST', `/api/v1/violations/${id}/approve`,
      v.reviewWarning ? { confirmWarning: true } : undefined);
    heldCase = null;
    ctx.flash(`${t('approved')} ${result.noticeNumber}`);
    ctx.navigate(`#/notice/${encodeURIComponent(result.noticeNumber)}`);
  });
  // approving a case whose vehicle is not what the camera read needs the officer to accept the named risk
  const risks = [
    v.matchStatus === 'corrected' ? tf('riskCorrected', { plate: c.registered?.plate ?? v.plateText }) : null,
    v.suspectedClone ? tf('riskClone', { reason: v.cloneReason ?? '—' }) : null,
    v.matchStatus === 'fuzzy' ? t('riskFuzzy') : null,
    v.reviewWarning ? tf('riskWarning', { reason: v.reviewWarning }) : null,
  ].filter((r): r is string => r !== null);
  const riskAccept = h('input', { type: 'checkbox', id: 'risk-accept', 'aria-describedby': 'risk-error' });
  const riskError = h('p', { class: 'field-error', id: 'risk-error', role: 'alert' });
  const riskDialog = h('dialog', { id: 'risk-dialog', 'aria-labelledby': 'risk-title' }, h('form', { onsubmit: (event: Event) => {
    event.preventDefault();
    if (!riskAccept.checked) { riskError.textContent = t('riskNeedAccept'); return; }
    riskDialog.close();
    void doApprove();
  } }, h('h2', { id: 'risk-title' }, t('riskTitle')),
  h('ul', { class: 'risks' }, ...risks.map((r) => h('li', { class: 'warn' }, r))),
  h('label', { class: 'check', for: 'risk-accept' }, riskAccept, t('riskAccept')), riskError,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'risk-confirm' }, t('riskApprove')),
    h('button', { type: 'button', onclick: () => riskDialog.close() }, t('cancel')))));
  const approve = () => {
    if (risks.length === 0) return doApprove();
    riskAccept.checked = false;
    riskError.textContent = '';
    riskDialog.showModal();
    return Promise.resolve();
  };
  const release = () => act(t('release'), async () => {
    await api('POST', `/api/v1/violations/${id}/release`);
    heldCase = null;
    ctx.flash(t('released'));
    ctx.navigate('#/queue');
  });
  const takeOver = () => act(t('takeOver'), async () => {
    await api('POST', `/api/v1/violations/${id}/take-over`);
    await renderCase(ctx, id);
    ctx.flash(t('takenOver'));
  });
  const next = () => act(t('next'), async () => {
    const { items } = await fetchQueue(new URLSearchParams({ available: 'true', limit: '20' }));
    const other = items.find((i) => i.id !== id);
    ctx.navigate(other ? `#/case/${other.id}` : '#/queue');
  });

  const reason = h('select', { id: 'reject-reason' }, ...REASONS.map((r) => h('option', { value: r }, tk('reason', r))));
  const note = h('input', { id: 'reject-note', placeholder: t('rejectNote'), 'aria-label': t('rejectNote'), 'aria-describedby': 'note-error' });
  const noteError = h('span', { class: 'field-error', id: 'note-error', role: 'alert' });
  const rejectDialog = h('dialog', { id: 'reject-dialog' }, h('form', { method: 'dialog', onsubmit: (event: Event) => {
    event.preventDefault();
    void act(t('reject'), async () => {
      if (reason.value === 'other' && !note.value.trim()) {
        noteError.textContent = t('noteRequired');
        note.setAttribute('aria-invalid', 'true');
        note.focus();
        return;
      }
      await api('POST', `/api/v1/violations/${id}/reject`, { reason: reason.value, ...(note.value ? { note: note.value } : {}) });
      heldCase = null;
      rejectDialog.close();
      ctx.flash(t('rejected'));
      ctx.navigate('#/queue');
    });
  } }, h('h2', {}, t('rejectReason')), h('label', { for: 'reject-reason' }, t('rejectReason')), reason, note, noteError,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'danger', id: 'reject-confirm' }, t('confirm')),
    h('button', { type: 'button', onclick: () => rejectDialog.close() }, t('cancel')))));

  const plateInput = h('input', { id: 'plate-input', value: v.plateText, 'aria-label': t('newPlate'), 'aria-describedby': 'plate-error' });
  const plateError = h('span', { class: 'field-error', id: 'plate-error', role: 'alert' });
  const plateDialog = h('dialog', { id: 'plate-dialog' }, h('form', { onsubmit: (event: Event) => {
    event.preventDefault();
    plateError.textContent = '';
    void (async () => {
      try {
        await api('POST', `/api/v1/violations/${id}/correct-plate`, { plate: plateInput.value.trim() });
      } catch (err) {
        plateError.textContent = err instanceof ApiError && err.status === 400 ? t('invalidPlate') : (err as Error).message;
        plateInput.setAttribute('aria-invalid', 'true');
        return;
      }
      plateDialog.close();
      await renderCase(ctx, id);
      ctx.flash(t('corrected'));
    })();
  } }, h('h2', {}, t('newPlate')), plateInput, plateError,
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

  const zoomImg = h('img', { id: 'zoom-image', alt: '' });
  let scale = 1;
  const applyZoom = () => { zoomImg.style.width = `${scale * 100}%`; };
  const zoomDialog = h('dialog', { id: 'zoom-dialog', class: 'zoom', 'aria-label': t('evidence') },
    h('div', { class: 'actions' },
      h('button', { type: 'button', id: 'zoom-in', onclick: () => { scale = Math.min(6, scale * 1.5); applyZoom(); } }, `${t('zoomIn')} +`),
      h('button', { type: 'button', id: 'zoom-out', onclick: () => { scale = Math.max(1, scale / 1.5); applyZoom(); } }, `${t('zoomOut')} −`),
      h('button', { type: 'button', id: 'zoom-close', onclick: () => zoomDialog.close() }, t('close'))),
    h('div', { class: 'zoom-area' }, zoomImg));
  const openZoom = (src: string, alt: string) => { zoomImg.src = src; zoomImg.alt = alt; scale = 1; applyZoom(); zoomDialog.showModal(); };

  const evidence = c.evidence.map((e, i) => h('figure', { class: 'evidence' },
    h('button', { type: 'button', class: 'photo', 'data-frame': i, title: t('zoomIn'),
      onclick: () => openZoom(e.imageUrl, `${t('frame')} ${i + 1}/${c.evidence.length}`) },
    h('img', { src: e.imageUrl, alt: `${t('frame')} ${i + 1}/${c.evidence.length} — ${dateTime(e.capturedAt)}` }),
    e.plateRead ? plateBox(e.plateRead.bbox, e.width, e.height) : null),
    h('figcaption', {}, `${t('frame')} ${i + 1}/${c.evidence.length} · ${dateTime(e.capturedAt)} · sha256 ${e.imageSha256.slice(0, 16)}…`,
      e.measuredSpeedKmh !== null ? ` · ${e.measuredSpeedKmh} km/h` : '',
      e.signalPhase ? ` · ${tk('signal', e.signalPhase)}${e.redElapsedMs !== null ? ` +${e.redElapsedMs} ms` : ''}` : '',
      e.amberElapsedMs !== null ? h('span', { class: 'amber', 'data-amber': e.amberElapsedMs }, ` · ${t('amberElapsed')} ${e.amberElapsedMs} ms`) : '',
      e.lane !== null ? ` · ${t('lane')} ${e.lane}` : ''),
    captureMedia(e.captureId, e.media, openZoom)));
  const decision = c.decision ? h('section', { class: 'card decision', id: 'decision' }, h('h2', {}, t('decisionTitle')),
    h('dl', {},
      h('dt', {}, t('decisionResult')), h('dd', { id: 'decision-result' }, tk('status', v.status),
        c.decision.rejectReason ? ` — ${tk('reason', c.decision.rejectReason)}` : '', c.decision.rejectNote ? ` (${c.decision.rejectNote})` : ''),
      h('dt', {}, t('decidedBy')), h('dd', { id: 'decided-by' }, c.decision.username),
      h('dt', {}, t('decidedAt')), h('dd', {}, dateTime(c.decision.at)),
      c.decision.noticeNumber ? h('dt', {}, t('noticeTitle')) : null,
      c.decision.noticeNumber ? h('dd', {}, h('a', { id: 'decision-notice', href: `#/notice/${encodeURIComponent(c.decision.noticeNumber)}` },
        `${t('viewNotice')} ${c.decision.noticeNumber}`), ' · ', h('a', { id: 'decision-procedure', href: `#/procedure/${encodeURIComponent(c.decision.noticeNumber)}` },
        t('procOpen'))) : null)) : null;
  const firstRead = c.evidence.find((e) => e.plateRead)?.plateRead ?? null;

  mount(ctx.app,
    h('div', { class: 'case-head' },
      h('h1', {}, `${t('caseTitle')} #${v.id}`, h('span', { class: `tag ${v.status}`, id: 'case-status' }, tk('status', v.status))),
      h('p', { class: pending ? 'ok' : 'muted', id: 'claim-note' }, claimNote),
      pending ? h('button', { id: 'release', onclick: release }, t('release')) : null,
      claimedByOther && ctx.me.role === 'admin' ? h('button', { id: 'take-over', onclick: takeOver }, t('takeOver')) : null),
    decision,
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
          h('dt', {}, t('colFine')), h('dd', { id: 'fine' }, `${money(v.fineAmount)} · ${t('points')}: ${v.points}`,
            v.reviewWarning ? h('div', { class: 'warn', id: 'review-warning' }, `⚠ ${v.reviewWarning}`) : null),
          h('dt', {}, t('place')), h('dd', {}, `${c.camera.name} — ${c.camera.address}`),
          h('dt', {}, t('colTime')), h('dd', {}, dateTime(v.occurredAt)),
          h('dt', {}, t('colMatch')), h('dd', { id: 'match-status' }, tk('match', v.matchStatus), v.suspectedClone ? h('div', { class: 'warn' }, `⚠ ${v.cloneReason ?? ''}`) : null)),
        h('h2', {}, t('registered')),
        c.registered ? particulars(c.registered) : h('p', { class: 'muted' }, t('noOwner')),
        c.matchCandidates.length ? h('div', {}, h('h3', {}, t('candidates')), h('ul', { class: 'candidates' }, ...c.matchCandidates.map((m) =>
          h('li', {}, `${m.plate ?? ''} (${percent(m.score ?? 0)}) `, m.particulars?.owner ? m.particulars.owner.fullName : '',
            pending && m.vehicleId ? h('button', { class: 'small', onclick: () => act(t('confirmCandidate'), async () => {
              await api('POST', `/api/v1/violations/${id}/confirm-match`, { vehicleId: m.vehicleId });
              await renderCase(ctx, id);
            }) }, t('confirmCandidate')) : null)))) : null)),
    rejectDialog, plateDialog, riskDialog, zoomDialog);
}

/** The further frames of a capture as thumbnails that open in the zoom, and its clip in the browser's own player. */
function captureMedia(captureId: number, media: Media[], openZoom: (src: string, alt: string) => void): HTMLElement | null {
  if (media.length === 0) return null;
  const frames = media.filter((m) => m.kind === 'frame');
  const clip = media.find((m) => m.kind === 'clip');
  const label = (m: Media) => `${t('frame')} ${m.seq + 1}/${frames.length + 1} — #${captureId}`;
  return h('div', { class: 'capture-media', 'data-capture': captureId },
    frames.length ? h('div', {}, h('h3', {}, t('extraFrames')), h('div', { class: 'frames' }, ...frames.map((m) =>
      h('button', { type: 'button', class: 'photo frame-thumb', 'data-extra-frame': m.seq, title: t('zoomIn'), onclick: () => openZoom(m.url, label(m)) },
        h('img', { src: m.url, alt: label(m), loading: 'lazy' }))))) : null,
    clip ? h('div', {}, h('h3', {}, t('videoClip')),
      h('video', { class: 'clip', controls: true, preload: 'metadata', muted: true, playsinline: true, 'data-clip': captureId, 'aria-label': `${t('videoClip')} #${captureId}` },
        h('source', { src: clip.url, type: clip.contentType }),
        h('a', { href: clip.url, target: '_blank' }, t('noVideo'))),
      h('p', {}, h('a', { href: clip.url, target: '_blank', class: 'muted' }, t('openClip')), h('span', { class: 'muted mono' }, ` · sha256 ${clip.sha256.slice(0, 16)}…`))) : null);
}

function particulars(p: Particulars): HTMLElement {
  return h('dl', { id: 'registered' },
    h('dt', {}, t('vehicle')), h('dd', {}, `${p.plate} · ${tk('vtype', p.vehicleType)} · ${[p.make, p.model, p.colour].filter(Boolean).join(' ')}`),
    h('dt', {}, t('owner')), h('dd', { id: 'owner-name' }, p.owner?.fullName ?? '—'),
    h('dt', {}, t('idNumber')), h('dd', {}, p.owner?.identifier ?? '—'),
    h('dt', {}, t('address')), h('dd', {}, p.owner?.address ?? '—'));
}

/**
 * The plate box as percentages, so it stays on the plate however the photo is scaled. Set through
 * the style object (not a style attribute), which a strict Content-Security-Policy allows.
 */
function plateBox(b: Box, width: number, height: number): HTMLElement {
  const box = h('span', { class: 'box', 'aria-hidden': 'true' });
  box.style.left = `${(b.x / width) * 100}%`;
  box.style.top = `${(b.y / height) * 100}%`;
  box.style.width = `${(b.width / width) * 100}%`;
  box.style.height = `${(b.height / height) * 100}%`;
  return box;
}
