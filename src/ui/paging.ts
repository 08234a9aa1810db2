import { h } from './dom.js';
import { t, tf } from './i18n.js';

/** One page of a list as the API answers it: `nextCursor` is null on the last page. */
export interface Paged<T> { items: T[]; nextCursor: string | null }

/** The list endpoint's URL with `after` set to the cursor (the first page without it). */
export function pageUrl(path: string, params: Record<string, string | number>, after?: string | null): string {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  if (after) query.set('after', after);
  return `${path}?${query.toString()}`;
}

/**
 * "Xem thêm" under a list: each click fetches the page after the last one shown and hands its rows to
 * `append` (which adds them where the list is drawn); the button goes once the last page is shown. The
 * line beside it says how many rows are shown (of `total` when the API gives one).
 */
export function moreButton<T>(opts: { id: string; first: Paged<T>; total?: number; fetch: (after: string) => Promise<Paged<T>>;
  append: (items: T[]) => void; onError: (message: string) => void }): HTMLElement {
  let shown = opts.first.items.length;
  let next = opts.first.nextCursor;
  const status = h('span', { class: 'muted', id: `${opts.id}-shown`, 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'small', id: opts.id }, t('loadMore'));
  const bar = h('div', { class: 'more' }, status, ' ', button);
  const refresh = () => {
    status.textContent = opts.total !== undefined ? tf('shownOf', { shown: String(shown), total: String(opts.total) }) : tf('shownCount', { shown: String(shown) });
    button.hidden = next === null;
    // a list that fits one page needs no line under it
    bar.hidden = next === null && shown === opts.first.items.length;
  };
  button.addEventListener('click', async () => {
    if (next === null) return;
    button.disabled = true;
    try {
      const page = await opts.fetch(next);
      opts.append(page.items);
      shown += page.items.length;
      next = page.nextCursor;
      refresh();
    } catch (err) {
      opts.onError((err as Error).message);
    } finally {
      button.disabled = false;
    }
  });
  refresh();
  return bar;
}

/** Every page of a short list (camera names for a filter), fetched one after another. */
export async function allPages<T>(fetch: (after: string | null) => Promise<Paged<T>>): Promise<T[]> {
  const items: T[] = [];
  let after: string | null = null;
  do {
    const page: Paged<T> = await fetch(after);
    items.push(...page.items);
    after = page.nextCursor;
  } while (after !== null);
  return items;
}
