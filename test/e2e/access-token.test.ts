/**
 * Issue 12, installers and IT: a station open to the network asks every
 * screen for its access token. A page opened without it (or with a wrong
 * one, or in a new tab) must say that the token is what is missing and how
 * to open the page with it, never "connection to the station lost".
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useChromium } from '../helpers/browser';
import { screenshot, watchedPage } from '../helpers/e2e';
import { startStation } from '../helpers/station-process';
import { useTempDirs } from '../helpers/temp-dir';

const TOKEN = 'line3-secret-token-0123456789';

describe('a token-protected station in Chromium', () => {
  const tempDir = useTempDirs();
  const browser = useChromium();

  it('asks for its access token instead of blaming the network, takes it pasted or in the address, and asks again in a new tab', async () => {
    const dataDir = tempDir();
    const config = join(dataDir, 'station.json');
    writeFileSync(config, JSON.stringify({ server: { host: '0.0.0.0', token: TOKEN }, sensors: { sources: [] } }));
    const station = await startStation(['--port', '0', '--data-dir', dataDir, '--config', config]);
    const base = station.url.replace(/\/\?token=…$/, '').replace(/\/$/, '');
    const pages = [];
    try {
      // Without the token: what is missing, where it comes from, and the address to open.
      const first = await watchedPage(browser());
      pages.push(first);
      await first.page.goto(base);
      const panel = first.page.getByTestId('access-token');
      await panel.waitFor({ timeout: 15_000 });
      expect(await panel.locator('h2').textContent()).toBe('This station needs its access token');
      expect(await first.page.getByTestId('access-token-address').textContent()).toBe(`${base}/?token=…`);
      expect(await panel.textContent()).toMatch(/server\.token/);
      const body = await first.page.locator('body').innerText();
      expect(body).not.toMatch(/Cannot reach the station|connection to the station lost|No connection to the station/);
      await screenshot(first.page, 'access-token-needed');

      // Connect with nothing pasted says what to do.
      await first.page.getByTestId('access-token-submit').click();
      expect(await first.page.getByTestId('access-token-empty').textContent()).toBe('Paste the access token first.');

      // Pasted: the station's own page, with nothing asked again on this tab.
      await first.page.getByTestId('access-token-input').fill(TOKEN);
      await first.page.getByTestId('access-token-submit').click();
      await first.page.getByTestId('counts').waitFor({ timeout: 15_000 });
      expect(await first.page.getByTestId('access-token').count()).toBe(0);
      await first.page.reload();
      await first.page.getByTestId('counts').waitFor({ timeout: 15_000 });

      // A wrong token in the address: said to be not this station's.
      const wrong = await watchedPage(browser());
      pages.push(wrong);
      await wrong.page.goto(`${base}/?token=not-this-stations-token`);
      await wrong.page.getByTestId('access-token-refused').waitFor({ timeout: 15_000 });
      expect(await wrong.page.getByTestId('access-token-refused').textContent()).toMatch(/not accepted: it is not this station's/);
      // The token is not left in the address for someone to read over a shoulder.
      expect(wrong.page.url()).not.toContain('not-this-stations-token');

      // A new tab without it asks again; the address with the token opens the station at once.
      const fresh = await watchedPage(browser());
      pages.push(fresh);
      await fresh.page.goto(base);
      await fresh.page.getByTestId('access-token').waitFor({ timeout: 15_000 });
      await fresh.page.goto(`${base}/?token=${TOKEN}`);
      await fresh.page.getByTestId('counts').waitFor({ timeout: 15_000 });
      expect(fresh.page.url()).not.toContain(TOKEN);
    } finally {
      for (const p of pages) await p.page.close();
      expect(await station.stop()).toBe(0);
    }
    // A refused socket or request is not a page error.
    for (const p of pages) expect(p.errors.filter((e) => !/401|Unauthorized/.test(e))).toEqual([]);
  });
});
