/**
 * Serving the operations console (router/console): a compiled router never builds it at run time (without a bundle it
 * says how to build it); from the sources a missing bundle is built on the first visit, then every path under
 * /console answers the page with its hashed assets and a self-only CSP.
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { createConsole } from '../router/console';

async function serve(router: express.Router): Promise<{ origin: string; server: Server }> {
  const server = express().use(router).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

it('without a bundle and without building (a compiled router), answers 503 saying to run the build', async () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-none-'));
  const logs: string[] = [];
  const { origin, server } = await serve(createConsole({ outDir, buildOnDemand: false, log: (message) => logs.push(message) }));
  try {
    const response = await fetch(`${origin}/console`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build:console');
    expect(fs.readdirSync(outDir)).toEqual([]);
  } finally {
    server.close();
    fs.rmSync(outDir, { recursive: true, force: true });
  }
});

it('builds a missing bundle on first visit from the sources, then serves the page for any path under /console', async () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-build-'));
  const logs: string[] = [];
  const { origin, server } = await serve(createConsole({ outDir, buildOnDemand: true, log: (message) => logs.push(message) }));
  try {
    const [first, deep] = await Promise.all([fetch(`${origin}/console`), fetch(`${origin}/console/open/logs`)]);
    expect([first.status, deep.status]).toEqual([200, 200]);
    // Two visits at once, one build.
    expect(logs.filter((line) => line.startsWith('building'))).toHaveLength(1);
    const html = await first.text();
    expect(await deep.text()).toBe(html);
    expect(first.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const css = /href="(\/console\/assets\/console-[A-Z0-9]+\.css)"/.exec(html)?.[1];
    const js = /src="(\/console\/assets\/console-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    for (const asset of [css, js]) {
      const response = await fetch(`${origin}${asset}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toContain('immutable');
    }
    expect((await fetch(`${origin}/console/assets/missing.js`)).status).toBe(404);
  } finally {
    server.close();
    fs.rmSync(outDir, { recursive: true, force: true });
  }
});
