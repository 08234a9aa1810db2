import { api, ApiError } from '../api.js';
import { h, mount } from '../dom.js';
import { dateTime } from '../format.js';
import { t, type TextKey } from '../i18n.js';
import type { Context } from '../main.js';
import { moreButton, pageUrl, type Paged } from '../paging.js';

interface User { id: number; username: string; fullName: string; role: string; active: boolean }
interface AuditEntry { id: number; occurredAt: string; actor: string; action: string; entityType: string; entityId: string; details: unknown }
const ROLES = ['officer', 'operator', 'finance', 'admin'];
const USERNAME = /^[a-z0-9._-]{3,64}$/;
/** Users shown per page; "Xem thêm" fetches the next. */
const USER_PAGE = 50;

/** Why the API refused a user change, in the words of the field it concerns. */
function userError(err: ApiError): { field: 'username' | 'password' | 'general'; text: string } {
  if (err.code === 'username_taken') return { field: 'username', text: t('errUsernameTaken') };
  if (err.code === 'invalid_username') return { field: 'username', text: t('errUsername') };
  if (err.code === 'weak_password') return { field: 'password', text: t('errWeakPassword') };
  if (err.code === 'last_admin') return { field: 'general', text: t('errLastAdmin') };
  return { field: 'general', text: `${t('error')}: ${err.message}` };
}

/** Users: create, change role, disable or enable, reset a password. */
export async function renderUsers(ctx: Context): Promise<void> {
  const usersPage = async (after: string | null): Promise<Paged<User>> => {
    const page = await api<{ users: User[]; nextCursor: string | null }>('GET', pageUrl('/api/v1/users', { limit: USER_PAGE }, after));
    return { items: page.users, nextCursor: page.nextCursor };
  };
  const first = await usersPage(null);
  const errorOf = (id: string) => h('span', { class: 'field-error', id: `${id}-error`, role: 'alert' });
  const username = h('input', { id: 'new-username', name: 'username', autocomplete: 'off', 'aria-describedby': 'new-username-error' });
  const fullName = h('input', { id: 'new-fullname', name: 'fullName', 'aria-describedby': 'new-fullname-error' });
  const role = h('select', { id: 'new-role', name: 'role' }, ...ROLES.map((r) => h('option', { value: r }, t(`role_${r}` as TextKey))));
  const password = h('input', { id: 'new-password', name: 'password', type: 'password', autocomplete: 'new-password', 'aria-describedby': 'new-password-error' });
  const errors = { username: errorOf('new-username'), fullName: errorOf('new-fullname'), password: errorOf('new-password'), general: h('p', { class: 'field-error', role: 'alert', id: 'user-form-error' }) };
  const mark = (input: HTMLInputElement, error: HTMLElement, text: string) => { error.textContent = text; input.setAttribute('aria-invalid', 'true'); };
  const create = h('form', { class: 'card settings', id: 'user-form', novalidate: true, onsubmit: async (event: Event) => {
    event.preventDefault();
    for (const e of Object.values(errors)) e.textContent = '';
    for (const i of [username, fullName, password]) i.removeAttribute('aria-invalid');
    let bad = false;
    if (!USERNAME.test(username.value.trim())) { mark(username, errors.username, t('errUsername')); bad = true; }
    if (!fullName.value.trim()) { mark(fullName, errors.fullName, t('errRequired')); bad = true; }
    if (password.value.length < 10) { mark(password, errors.password, t('errWeakPassword')); bad = true; }
    if (bad) return;
    try {
      await api('POST', '/api/v1/users', { username: username.value.trim(), fullName: fullName.value.trim(), role: role.value, password: password.value });
      const created = username.value.trim();
      await renderUsers(ctx);
      ctx.flash(`${t('userCreated')} ${created}`);
    } catch (err) {
      const e = userError(err as ApiError);
      if (e.field === 'username') mark(username, errors.username, e.text);
      else if (e.field === 'password') mark(password, errors.password, e.text);
      else errors.general.textContent = e.text;
    }
  } }, h('h2', {}, t('createUser')),
  h('label', { for: 'new-username' }, t('username'), username, errors.username), h('label', { for: 'new-fullname' }, t('fullName'), fullName, errors.fullName),
  h('label', { for: 'new-role' }, t('role'), role), h('label', { for: 'new-password' }, `${t('password')} (${t('min10')})`, password, errors.password),
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'user-create' }, t('createUser'))), errors.general);

  const resetInput = h('input', { id: 'reset-password', type: 'password', autocomplete: 'new-password', 'aria-describedby': 'reset-error' });
  const resetError = h('span', { class: 'field-error', id: 'reset-error', role: 'alert' });
  const resetTitle = h('h2', { id: 'reset-title' });
  let resetFor: User | null = null;
  const resetDialog = h('dialog', { id: 'reset-dialog', 'aria-labelledby': 'reset-title' }, h('form', { onsubmit: async (event: Event) => {
    event.preventDefault();
    resetError.textContent = '';
    if (resetInput.value.length < 10) { resetError.textContent = t('errWeakPassword'); return; }
    try {
      await api('POST', `/api/v1/users/${resetFor!.id}/password`, { password: resetInput.value });
      resetDialog.close();
      ctx.flash(`${t('passwordReset')} ${resetFor!.username}`);
    } catch (err) { resetError.textContent = userError(err as ApiError).text; }
  } }, resetTitle, h('label', { for: 'reset-password' }, `${t('newPassword')} (${t('min10')})`), resetInput, resetError,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'reset-confirm' }, t('save')),
    h('button', { type: 'button', onclick: () => resetDialog.close() }, t('cancel')))));

  const change = async (u: User, body: Record<string, unknown>, done: string) => {
    try { await api('PATCH', `/api/v1/users/${u.id}`, body); await renderUsers(ctx); ctx.flash(`${done} ${u.username}`); } catch (err) { ctx.flash(userError(err as ApiError).text, 'error'); }
  };
  const row = (u: User) => {
    const roleSelect = h('select', { 'aria-label': `${t('role')} ${u.username}`, 'data-role-for': u.username, onchange: () => void change(u, { role: roleSelect.value }, t('roleChanged')) },
      ...ROLES.map((r) => h('option', { value: r, selected: r === u.role }, t(`role_${r}` as TextKey))));
    return h('tr', { 'data-user': u.username }, h('td', {}, u.username), h('td', {}, u.fullName), h('td', {}, roleSelect),
      h('td', {}, u.active ? t('active') : t('disabled')),
      h('td', { class: 'actions' },
        h('button', { type: 'button', class: 'small', 'data-toggle': u.username, onclick: () => void change(u, { active: !u.active }, u.active ? t('userDisabled') : t('userEnabled')) },
          u.active ? t('disable') : t('enable')),
        h('button', { type: 'button', class: 'small', 'data-reset': u.username, onclick: () => {
          resetFor = u; resetTitle.textContent = `${t('resetPassword')}: ${u.username}`; resetInput.value = ''; resetError.textContent = ''; resetDialog.showModal();
        } }, t('resetPassword'))));
  };
  const body = h('tbody', {}, ...first.items.map(row));
  mount(ctx.app, h('h1', {}, t('usersTitle')),
    h('table', { class: 'grid', id: 'users' }, h('thead', {}, h('tr', {}, ...(['username', 'fullName', 'role', 'colStatus', 'actionsCol'] as const).map((k) => h('th', { scope: 'col' }, t(k))))),
      body),
    moreButton({ id: 'users-more', first, fetch: usersPage, append: (items) => body.append(...items.map(row)), onError: (message) => ctx.flash(message, 'error') }),
    create, resetDialog);
}

interface VerifyRequest {
  requestId: string;
  requestedBy: { username: string };
  requestedAt: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  progress: { rows: number; approxTotal: number } | null;
  run: { ok: boolean; logRows: number; firstBadId: number | null; problem: string | null } | null;
}

const VERIFY_POLL_MS = 1500;

/** Shows a verification request's state, asking the API again until the workers are done with it (or the view is left). */
async function followVerification(first: VerifyRequest, started: boolean, result: HTMLElement, show: (className: string, text: string) => void): Promise<void> {
  const joined = started ? '' : `${t('verifyJoined')} ${first.requestedBy.username} (${dateTime(first.requestedAt)}). `;
  for (let r = first; ; r = await api<VerifyRequest>('GET', `/api/v1/audit/verifications/requests/${r.requestId}`)) {
    if (r.state === 'done' && r.run) {
      show(r.run.ok ? 'ok' : 'error', r.run.ok ? `${t('chainOk')} (${r.run.logRows} ${t('rowsChecked')})`
        : `${t('chainBroken')} #${r.run.firstBadId ?? '?'}: ${t(`problem_${r.run.problem ?? 'chain_broken'}` as TextKey)}`);
      return;
    }
    if (r.state === 'failed') { show('error', t('verifyFailed')); return; }
    const progress = r.progress ? ` ${r.progress.rows} / ~${Math.max(r.progress.rows, r.progress.approxTotal)} ${t('rowsChecked')}` : '';
    show('muted', `${joined}${r.state === 'running' ? `${t('verifying')}${progress}` : t('verifyQueued')}`);
    await new Promise((resolve) => setTimeout(resolve, VERIFY_POLL_MS));
    if (!result.isConnected) return;
  }
}

/** The audit log with filters, paged back in time, and the chain check. */
export async function renderAudit(ctx: Context): Promise<void> {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const query = new URLSearchParams({ limit: '100' });
  for (const k of ['entity_type', 'entity_id', 'action', 'before_id']) { const v = params.get(k); if (v) query.set(k, v); }
  const { entries, nextBeforeId } = await api<{ entries: AuditEntry[]; nextBeforeId: number | null }>('GET', `/api/v1/audit?${query.toString()}`);
  const input = (name: string, label: string, placeholder: string) => {
    const el = h('input', { id: `audit-${name}`, name, value: params.get(name) ?? '', placeholder });
    return { el, wrap: h('label', {}, label, el) };
  };
  const type = input('entity_type', t('entityType'), 'violation');
  const id = input('entity_id', t('entityId'), '123');
  const action = input('action', t('auditAction'), 'violation.approved');
  const actionError = h('span', { class: 'field-error', id: 'audit-action-error', role: 'alert' });
  action.wrap.append(actionError);
  const result = h('p', { id: 'verify-result', role: 'status' });
  const show = (className: string, text: string) => { result.className = className; result.textContent = text; };
  const verify = h('button', { type: 'button', id: 'verify-chain', onclick: async () => {
    verify.disabled = true;
    show('muted', t('verifyRequesting'));
    try {
      // the workers verify (the API only queues the job); while another request runs, the API answers with that one
      const asked = await api<{ started: boolean; request: VerifyRequest }>('POST', '/api/v1/audit/verifications', { full: true });
      await followVerification(asked.request, asked.started, result, show);
    } catch (err) {
      show('error', `${t('error')}: ${(err as Error).message}`);
    } finally { verify.disabled = false; }
  } }, t('verifyChain'));
  const form = h('form', { class: 'filters', id: 'audit-filters', onsubmit: (event: Event) => {
    event.preventDefault();
    actionError.textContent = '';
    if (action.el.value && !/^[a-z_]+\.[a-z_]+$/.test(action.el.value.trim())) { actionError.textContent = t('errAuditAction'); return; }
    const next = new URLSearchParams();
    for (const f of [type.el, id.el, action.el]) if (f.value.trim()) next.set(f.name, f.value.trim());
    ctx.navigate(`#/audit?${next.toString()}`);
  } }, type.wrap, id.wrap, action.wrap, h('button', { type: 'submit', id: 'audit-apply' }, t('apply')));
  mount(ctx.app, h('h1', {}, t('auditTitle')), h('div', { class: 'actions' }, verify, result), form,
    entries.length === 0 ? h('p', { class: 'empty' }, t('auditEmpty')) : h('table', { class: 'grid', id: 'audit' },
      h('thead', {}, h('tr', {}, ...(['colTime', 'auditActor', 'auditAction', 'entityType', 'entityId', 'auditDetails'] as const).map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, ...entries.map((e) => h('tr', {}, h('td', {}, dateTime(e.occurredAt)), h('td', {}, e.actor), h('td', { class: 'mono' }, e.action),
        h('td', {}, e.entityType), h('td', {}, e.entityId), h('td', { class: 'mono' }, e.details ? JSON.stringify(e.details).slice(0, 160) : ''))))),
    nextBeforeId ? h('nav', { class: 'pager' }, h('button', { type: 'button', id: 'audit-older', onclick: () => { params.set('before_id', String(nextBeforeId)); ctx.navigate(`#/audit?${params.toString()}`); } }, t('older'))) : null);
}
