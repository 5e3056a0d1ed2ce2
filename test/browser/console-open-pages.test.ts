/**
 * The console's open-platform pages in headless Chromium (docs/console.md) against a whole supergraph on ephemeral
 * ports: an app's merchant sessions (one created, its token shown once, then revoked), the dashboard's calls and
 * errors per minute drawn from one openCallsPerMinute query, and the client releases page (a client's safelist mode
 * switched to AUDIT, a release with traffic refused retirement, an idle one retired). Screenshots in
 * artifacts/screenshots/console-open-pages/; no errors in the browser's console.
 */
import crypto from 'node:crypto';
import type { Page } from 'playwright-core';
import type { RunningSupergraph } from '../../app/launcher';
import { shanghaiDate } from '../../platform/shanghai-time';
import { insertCallLog } from '../../subgraphs/open/data/call-logs';
import { newConsoleStaff, signInToConsole } from '../support/console-pages';
import { launchBrowser, type BrowserSession } from '../support/browser';
import { gql, startSupergraph } from '../support/harness';

let supergraph: RunningSupergraph;
let browser: BrowserSession;
let origin: string;
let graphqlUrl: string;

const newStaff = (role: string) => newConsoleStaff(supergraph, graphqlUrl, role);

const signIn = (page: Page, username: string) => signInToConsole(page, origin, username);

/** Answers the page's confirm()s, keeping their texts: OK, unless a `false` was queued in `answers` for the next one. */
function answerDialogs(page: Page): { texts: string[]; answers: boolean[] } {
  const texts: string[] = [];
  const answers: boolean[] = [];
  page.on('dialog', (dialog) => {
    texts.push(dialog.message());
    void ((answers.shift() ?? true) ? dialog.accept() : dialog.dismiss());
  });
  return { texts, answers };
}

beforeAll(async () => {
  supergraph = await startSupergraph();
  graphqlUrl = supergraph.routerUrl!;
  origin = new URL(graphqlUrl).origin;
  browser = await launchBrowser('console-open-pages');
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await supergraph?.stop();
});

it('creates a merchant session on the app page, shows its token once, and revokes it', async () => {
  const operator = await newStaff('open');
  const created = await gql(graphqlUrl, 'mutation($input: CreateOpenAppInput!) { createOpenApp(input: $input) { app { appKey name } } }',
    { input: { name: `会话 ${crypto.randomBytes(3).toString('hex')}` } }, operator.headers);
  expect(created.errors).toBeUndefined();
  const { appKey, name } = created.data.createOpenApp.app;
  const page = await browser.newPage();
  const { texts: confirms } = answerDialogs(page);
  await signIn(page, operator.username);
  await page.getByRole('navigation', { name: '菜单' }).getByRole('link', { name: '应用' }).click();
  await page.getByRole('button', { name }).click();

  const form = page.getByRole('form', { name: '创建商户会话' });
  await form.getByLabel('商户（用户 ID）').fill('1');
  await form.getByLabel('退款').check();
  await form.getByRole('button', { name: '创建会话' }).click();
  const box = page.getByRole('dialog', { name: '会话令牌' });
  await box.waitFor();
  const token = (await page.getByTestId('session-token').textContent())!.trim();
  expect(token).toMatch(/^st_[0-9a-f]{48}$/);
  const table = page.getByRole('table', { name: '商户会话' });
  const row = table.locator('tbody tr').filter({ hasText: token.slice(-6) });
  await row.waitFor();
  await expect(row.textContent()).resolves.toContain('有效');
  await expect(row.textContent()).resolves.toContain('order:write，payment:refund');
  await browser.screenshot(page, 'session-token-once');
  await page.getByRole('button', { name: '我已保存' }).click();
  // Once: gone from the page, and only its hint is listed.
  await expect(page.getByTestId('session-token').count()).resolves.toBe(0);
  await expect(page.content()).resolves.not.toContain(token);

  const SESSIONS = 'query($appKey: String!) { openSessions(appKey: $appKey) { edges { node { id tokenHint scopes revokedAt } } } }';
  const before = await gql(graphqlUrl, SESSIONS, { appKey }, operator.headers);
  expect(before.data.openSessions.edges.map((e: any) => e.node)).toEqual([expect.objectContaining({ tokenHint: token.slice(-6), scopes: ['order:write', 'payment:refund'], revokedAt: null })]);

  await row.getByRole('button', { name: '撤销' }).click();
  await row.getByText('已撤销').waitFor();
  expect(confirms).toEqual([expect.stringContaining('撤销商户 1 的会话')]);
  await expect(row.getByRole('button', { name: '撤销' }).count()).resolves.toBe(0);
  await browser.screenshot(page, 'session-revoked');
  const after = await gql(graphqlUrl, SESSIONS, { appKey }, operator.headers);
  expect(after.data.openSessions.edges[0].node.revokedAt).not.toBeNull();

  // A merchant id that is not a user id: the API's refusal on the page, nothing created.
  await form.getByLabel('商户（用户 ID）').fill('abc');
  await form.getByRole('button', { name: '创建会话' }).click();
  await page.getByRole('alert').filter({ hasText: 'BAD_USER_INPUT' }).waitFor();
  expect((await gql(graphqlUrl, SESSIONS, { appKey }, operator.headers)).data.openSessions.edges).toHaveLength(1);
  expect(page.errors).toEqual([]);
});

it('draws the dashboard\'s calls and errors per minute from one openCallsPerMinute query', async () => {
  const method = `test.dash${crypto.randomBytes(3).toString('hex')}`;
  const db = supergraph.subgraphs.open!.db;
  const now = Date.now();
  for (let i = 0; i < 5; i += 1) {
    await insertCallLog(db, {
      id: crypto.randomUUID(), requestId: crypto.randomUUID(), appKey: 'ak_dashboard', gateway: '127.0.0.1:4000/1', merchant: '1',
      clientAddress: '203.0.113.9', method, responseTimeMs: 40 + i, request: '{}', errorCode: i < 2 ? 'SERVICE_ERROR' : null,
      httpStatus: i < 2 ? 502 : 200, admitted: true, receivedAt: new Date(now - i * 1000),
    });
  }
  const admin = await newStaff('admin');
  const page = await browser.newPage();
  const bodies: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/graphql') && request.method() === 'POST') bodies.push(request.postData() ?? '');
  });
  await signIn(page, admin.username);
  await page.locator('canvas[aria-label="每分钟错误"]').waitFor();
  await page.locator('canvas[aria-label="每分钟调用"]').waitFor();
  // Other tests' calls may fall in the same minutes: at least ours.
  expect(Number(await page.getByTestId('minute-calls').textContent())).toBeGreaterThanOrEqual(5);
  expect(Number(await page.getByTestId('minute-errors').textContent())).toBeGreaterThanOrEqual(2);
  const perMinute = bodies.filter((body) => body.includes('openCallsPerMinute'));
  expect(perMinute).toHaveLength(1);
  // The statistics query (24 h per method) is the only other open one: no aliased per-minute windows any more.
  expect(bodies.filter((body) => body.includes('openCallStatistics'))).toHaveLength(1);
  const { from, to } = JSON.parse(perMinute[0]).variables;
  expect(Date.parse(to) - Date.parse(from)).toBe(12 * 60_000);
  await browser.screenshot(page, 'dashboard-per-minute');
  expect(page.errors).toEqual([]);
});

it('switches a client\'s safelist mode to AUDIT on the releases page (ENFORCE only once confirmed), refuses retiring a version with traffic, retires an idle one', async () => {
  const manager = await newStaff('releases');
  const clientName = `t-ui-${crypto.randomBytes(3).toString('hex')}`;
  const body = 'query Ping { __typename }';
  const manifest = JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: crypto.createHash('sha256').update(body).digest('hex'), name: 'Ping', type: 'query', body }] });
  const REGISTER = 'mutation($c: String!, $v: String!, $m: String!) { registerClientManifest(clientName: $c, version: $v, manifest: $m) { created } }';
  for (const version of ['1.0.0', '1.1.0']) expect((await gql(graphqlUrl, REGISTER, { c: clientName, v: version, m: manifest }, manager.headers)).errors).toBeUndefined();
  // 1.0.0 served requests today (as the routers report them).
  await supergraph.subgraphs.open!.db('client_traffic').insert({ client_name: clientName, version: '1.0.0', day: shanghaiDate(Date.now()), requests: 3, last_seen_at: new Date() });
  const MODES = '{ clientSafelistModes { clientName mode } }';
  const SET = 'mutation($c: String!, $m: SafelistMode!) { setClientSafelistMode(clientName: $c, mode: $m) { mode } }';
  const page = await browser.newPage();
  const { texts: confirms, answers } = answerDialogs(page);
  try {
    await signIn(page, manager.username);
    const nav = page.getByRole('navigation', { name: '菜单' });
    await expect(nav.getByRole('link').allTextContents()).resolves.toEqual(['客户端发布']);
    await page.waitForURL(`${origin}/console/system/clients`);
    const card = page.getByRole('group', { name: `客户端 ${clientName}` });
    await card.waitFor();
    await expect(card.getByTestId(`mode-${clientName}`).textContent()).resolves.toBe('默认');
    await expect(card.locator('tr[data-version="1.0.0"]').textContent()).resolves.toContain('3');

    await card.getByRole('combobox').selectOption('AUDIT');
    await card.getByRole('button', { name: '设置模式' }).click();
    await card.getByTestId(`mode-${clientName}`).filter({ hasText: 'AUDIT' }).waitFor();
    expect(confirms).toEqual([]); // AUDIT needs no confirmation; ENFORCE does
    const modes = await gql(graphqlUrl, MODES, {}, manager.headers);
    expect(modes.data.clientSafelistModes).toContainEqual({ clientName, mode: 'AUDIT' });
    await browser.screenshot(page, 'client-mode-audit');

    // ENFORCE asks first; declined, nothing changes.
    answers.push(false);
    await card.getByRole('combobox').selectOption('ENFORCE');
    await card.getByRole('button', { name: '设置模式' }).click();
    for (let i = 0; i < 50 && !confirms.length; i += 1) await page.waitForTimeout(20);
    expect(confirms).toHaveLength(1);
    expect(confirms[0]).toContain(`将 ${clientName} 设为 ENFORCE`);
    await expect(card.getByTestId(`mode-${clientName}`).textContent()).resolves.toBe('AUDIT');
    expect((await gql(graphqlUrl, MODES, {}, manager.headers)).data.clientSafelistModes).toContainEqual({ clientName, mode: 'AUDIT' });
    await card.getByRole('combobox').selectOption('AUDIT');
    confirms.length = 0;

    await card.locator('tr[data-version="1.0.0"]').getByRole('button', { name: '下线' }).click();
    await card.getByRole('alert').filter({ hasText: '近 7 天仍有请求' }).waitFor();
    await expect(card.getByRole('alert').allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringContaining('CONFLICT')]));
    await expect(card.locator('tr[data-version="1.0.0"]').textContent()).resolves.toContain('在用');
    await browser.screenshot(page, 'client-retire-refused');

    await card.locator('tr[data-version="1.1.0"]').getByRole('button', { name: '下线' }).click();
    await card.locator('tr[data-version="1.1.0"]').getByText('已下线').waitFor();
    expect(confirms).toEqual([expect.stringContaining(`下线 ${clientName} 1.0.0`), expect.stringContaining(`下线 ${clientName} 1.1.0`)]);
    await browser.screenshot(page, 'client-release-retired');
    expect(page.errors).toEqual([]);
  } finally {
    // The database may be shared: leave the client's mode OFF whatever happened.
    const reset = await gql(graphqlUrl, SET, { c: clientName, m: 'OFF' }, manager.headers);
    expect(reset.data?.setClientSafelistMode.mode).toBe('OFF');
  }
});
