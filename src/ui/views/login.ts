import { api, type Me } from '../api.js';
import { h, mount } from '../dom.js';
import { t } from '../i18n.js';

export function renderLogin(app: HTMLElement, onLogin: (me: Me) => Promise<void>): void {
  const error = h('p', { class: 'error', role: 'alert' });
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { class: 'card login', onsubmit: async (event: Event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      const result = await api<{ user: Me }>('POST', '/api/v1/auth/login', { username: username.value.trim(), password: password.value });
      await onLogin(result.user);
    } catch (err) {
      error.textContent = `${t('loginFailed')}: ${(err as Error).message}`;
    }
  } },
  h('h1', {}, t('login')),
  h('label', { for: 'username' }, t('username')), username,
  h('label', { for: 'password' }, t('password')), password,
  h('button', { type: 'submit', class: 'primary' }, t('login')),
  error);
  mount(app, form);
  username.focus();
}
