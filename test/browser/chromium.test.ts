/** The browser tests' own ground: Debian's Chromium starts headless here and renders a page served on localhost. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchBrowser, type BrowserSession } from '../support/browser';

describe('headless Chromium', () => {
  let session: BrowserSession;
  let server: http.Server;
  beforeAll(async () => {
    session = await launchBrowser('chromium');
    server = http.createServer((_req, res) => res.end('<!doctype html><meta charset="utf-8"><button onclick="this.textContent=\'已点击\'">点我</button>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await session?.close();
    server?.closeAllConnections();
    if (server) await new Promise((resolve) => server.close(resolve));
  });

  it('clicks a button on a localhost page and keeps a screenshot', async () => {
    const page = await session.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.getByRole('button', { name: '点我' }).click();
    await expect(page.getByRole('button').textContent()).resolves.toBe('已点击');
    const file = await session.screenshot(page, 'clicked');
    expect(require('node:fs').statSync(file).size).toBeGreaterThan(1000);
    expect(page.errors).toEqual([]);
  });
});
