import { api, ApiError, type Me } from './api.js';
import { h, mount } from './dom.js';
import { currentLanguage, setLanguage, t, type TextKey } from './i18n.js';
import { renderCameras } from './views/cameras.js';
import { renderCase } from './views/case.js';
import { renderFinance } from './views/finance.js';
import { renderLogin } from './views/login.js';
import { renderNotice } from './views/notice.js';
import { renderNotices } from './views/notices.js';
import { renderEscalations } from './views/escalations.js';
import { renderPoints } from './views/points.js';
import { renderProcedure } from './views/procedure.js';
import { renderAudit, renderUsers } from './views/admin.js';
import { releaseOnLeave } from './views/case.js';
import { renderQueue } from './views/queue.js';

export interface Context {
  me: Me;
  app: HTMLElement;
  navigate(hash: string): void;
  /** replaced by each view that needs keys; cleared on navigation */
  onKey: ((event: KeyboardEvent) => void) | null;
  flash(message: string, kind?: 'ok' | 'error'): void;
}

const app = document.getElementById('app')!;
const top = document.getElementById('top')!;
let me: Me | null = null;
const context: Context = {
  get me() { return me!; },
  app,
  navigate: (hash) => { location.hash = hash; },
  onKey: null,
  flash,
};

const NAV: Array<{ hash: string; label: TextKey; roles: Me['role'][] }> = [
  { hash: '#/queue', label: 'navQueue', roles: ['officer', 'admin'] },
  { hash: '#/cameras', label: 'navCameras', roles: ['operator', 'admin'] },
  { hash: '#/finance', label: 'navFinance', roles: ['finance', 'admin'] },
  { hash: '#/notices', label: 'navNotices', roles: ['officer', 'finance', 'admin'] },
  { hash: '#/escalations', label: 'navEscalations', roles: ['officer', 'admin'] },
  { hash: '#/points', label: 'navPoints', roles: ['officer', 'admin'] },
  { hash: '#/users', label: 'navUsers', roles: ['admin'] },
  { hash: '#/audit', label: 'navAudit', roles: ['admin'] },
];

function homeFor(role: Me['role']): string {
  return NAV.find((n) => n.roles.includes(role))?.hash ?? '#/queue';
}

function renderHeader(): void {
  const language = currentLanguage();
  mount(top, h('div', { class: 'bar' },
    h('strong', { class: 'brand' }, t('appTitle')),
    me ? h('nav', {}, ...NAV.filter((n) => n.roles.includes(me!.role)).map((n) =>
      h('a', { href: n.hash, class: location.hash.startsWith(n.hash) ? 'active' : null }, t(n.label)))) : null,
    h('span', { class: 'spacer' }),
    h('button', { class: 'link', id: 'lang', onclick: () => { setLanguage(language === 'vi' ? 'en' : 'vi'); void route(); } },
      language === 'vi' ? 'English' : 'Tiếng Việt'),
    me ? h('span', { class: 'who' }, `${me.fullName} (${t(`role_${me.role}` as TextKey)})`) : null,
    me ? h('button', { class: 'link', id: 'logout', onclick: logout }, t('logout')) : null,
  ));
}

function flash(message: string, kind: 'ok' | 'error' = 'ok'): void {
  document.getElementById('flash')?.remove();
  const el = h('div', { id: 'flash', class: `flash ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  document.body.append(el);
  setTimeout(() => el.remove(), 6000);
}

async function logout(): Promise<void> {
  await api('POST', '/api/v1/auth/logout').catch(() => undefined);
  me = null;
  location.hash = '#/login';
}

async function route(): Promise<void> {
  context.onKey = null;
  if (!me) {
    me = await api<Me>('GET', '/api/v1/auth/me').catch(() => null);
  }
  const hash = location.hash || '#/';
  renderHeader();
  if (!me) {
    renderLogin(app, async (user) => { me = user; location.hash = homeFor(user.role); await route(); });
    return;
  }
  // the query (filters, page) comes after the path: '#/queue?rule=red_light'
  const [, page, arg] = (hash.split('?')[0] ?? '').split('/');
  await releaseOnLeave(page === 'case' ? Number(arg) : null);
  mount(app, h('p', { class: 'muted' }, t('loading')));
  try {
    switch (page) {
      case 'queue': await renderQueue(context); break;
      case 'case': await renderCase(context, Number(arg)); break;
      case 'notice': await renderNotice(context, decodeURIComponent(arg ?? '')); break;
      case 'notices': await renderNotices(context); break;
      case 'procedure': await renderProcedure(context, decodeURIComponent(arg ?? '')); break;
      case 'points': await renderPoints(context); break;
      case 'escalations': await renderEscalations(context); break;
      case 'users': await renderUsers(context); break;
      case 'audit': await renderAudit(context); break;
      case 'cameras': await renderCameras(context); break;
      case 'finance': await renderFinance(context); break;
      default: location.hash = homeFor(me.role);
    }
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      me = null;
      await route();
      return;
    }
    mount(app, h('p', { class: 'error', role: 'alert' }, `${t('error')}: ${(err as Error).message}`));
  }
}

document.addEventListener('keydown', (event) => {
  const target = event.target as HTMLElement | null;
  if (target && ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName)) return;
  context.onKey?.(event);
});
window.addEventListener('hashchange', () => { void route(); });
// closing the tab or leaving the console gives an open case back to the queue
window.addEventListener('pagehide', () => { void releaseOnLeave(null); });
setLanguage(currentLanguage());
void route();
