import type { Browser, Page } from 'playwright-core';

/**
 * A fresh browser context at 1366x768 in Vietnamese and Vietnam time, logged in to the console. bypassCSP only
 * lets the tests inject axe-core; the console itself needs no exception.
 */
export async function consoleLogin(browser: Browser, base: string, username: string, password: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${base}/console/`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('#logout');
  return page;
}
