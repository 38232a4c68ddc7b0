/** What the browser tests share: a page that records console errors, and screenshots under test-results/. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ROOT } from './paths';
import { waitFor } from './wait';

export const SCREENSHOT_DIR = join(ROOT, 'test-results');

export interface WatchedPage {
  readonly page: Page;
  /** Console errors and uncaught page errors, in order. */
  readonly errors: string[];
}

export async function watchedPage(browser: Browser): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  return { page, errors };
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage });
}

/** Signs the page in as the demo technician (PIN 1234) on the PIN pad, and waits until the session says so. */
export async function signInAsTechnician(page: Page): Promise<void> {
  await page.getByTestId('sign-in-open').click();
  const dialog = page.getByTestId('sign-in');
  for (const digit of '1234') await dialog.getByTestId(`pin-${digit}`).click();
  await dialog.getByTestId('sign-in-submit').click();
  await waitFor('the technician signed in', async () => (await page.getByTestId('session').getAttribute('data-role')) === 'technician');
}
