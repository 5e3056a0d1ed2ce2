/**
 * The back office's directory, store, terminal, role and member card pages (docs/console.md) in headless Chromium
 * against one whole supergraph on ephemeral ports (real PostgreSQL and Redis): a super-admin creates a franchisee and
 * finds it by a batch of codes; edits a store's name and business status from its page; makes a custom role of two
 * permissions and edits it (built-in roles read-only); opens a bound terminal's page, sees its last sign-in and revokes
 * it; gives a member a card number found through identification, and is told in Chinese when another member holds it.
 * Refusals are checked at the API (wrong scope → FORBIDDEN, bad input → BAD_USER_INPUT). Screenshots under
 * artifacts/screenshots/console-back-office-pages/; no errors in the browser's console.
 */
import crypto from 'node:crypto';
import type { Page } from 'playwright-core';
import type { RunningSupergraph } from '../../app/launcher';
import { createStaff } from '../../subgraphs/user/staff';
import { signInToConsole, staffHeaders } from '../support/console-pages';
import { launchBrowser, type BrowserSession } from '../support/browser';
import { gql, startSupergraph, uniquePhone, type GraphQLResponse } from '../support/harness';

let supergraph: RunningSupergraph;
let browser: BrowserSession;
let origin: string;
let graphqlUrl: string;
let admin: { username: string; headers: Record<string, string> };
let clerk: Record<string, string>;

const PASSWORD = 'Console-pass-1';
const tag = crypto.randomBytes(3).toString('hex').toUpperCase();
const STORE = `BP${tag}`;

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

const login = (account: string, password: string) => staffHeaders(graphqlUrl, account, password);

const signIn = (page: Page, username: string, password = PASSWORD) => signInToConsole(page, origin, username, password);

async function shopper(): Promise<{ userId: string; phone: string }> {
  const phone = uniquePhone();
  const registered = ok(await gql(graphqlUrl, 'mutation($input: RegisterInput!) { register(input: $input) { user { id } } }', { input: { phone, password: 'Shopper123' } })).register;
  return { userId: registered.user.id, phone };
}

/** The store picker is a select, or a typed code past one page of stores (a long-lived test database). */
async function pickStore(page: Page, code: string) {
  const picker = page.getByLabel('门店', { exact: true });
  await picker.waitFor();
  if ((await picker.evaluate((element) => element.tagName)) === 'SELECT') {
    await picker.locator(`option[value="${code}"]`).waitFor({ state: 'attached' });
    await picker.selectOption(code);
  } else {
    await picker.fill(code);
  }
}

/** The number of rows once it settles on `expected` (a search answers after the list shown before it); the last count when time is up. */
async function rowCount(rows: ReturnType<Page['locator']>, expected: number, timeoutMs = 10_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  let count = await rows.count();
  while (count !== expected && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    count = await rows.count();
  }
  return count;
}

const menu = (page: Page, name: string) => page.getByRole('navigation', { name: '菜单' }).getByRole('link', { name, exact: true });
const codeOf = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.code;

beforeAll(async () => {
  supergraph = await startSupergraph();
  graphqlUrl = supergraph.routerUrl!;
  origin = new URL(graphqlUrl).origin;
  browser = await launchBrowser('console-back-office-pages');
  const username = `bp_admin_${crypto.randomBytes(4).toString('hex')}`;
  await createStaff(supergraph.subgraphs.user!.db, { username, role: 'admin', password: PASSWORD });
  admin = { username, headers: await login(username, PASSWORD) };
  ok(await gql(graphqlUrl, 'mutation($i: StoreInput!) { upsertStore(input: $i) { code } }', { i: { code: STORE, name: `测试门店 ${STORE}`, address: '南山区科技园' } }, admin.headers));
  // A store clerk (store:operate only): the directory, roles and member cards are not theirs.
  const clerkName = `bp_clerk_${crypto.randomBytes(4).toString('hex')}`;
  ok(await gql(graphqlUrl, 'mutation($i: CreateStaffAccountInput!) { createStaffAccount(input: $i) { id } }', {
    i: { username: clerkName, password: PASSWORD, realName: '店员乙', roles: ['store'], storeCodes: [STORE] },
  }, admin.headers));
  clerk = await login(clerkName, PASSWORD);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await supergraph?.stop();
});

it('creates a franchisee and a sales branch and finds them by a batch of codes; edits the franchisee', async () => {
  const page = await browser.newPage();
  await signIn(page, admin.username);
  await menu(page, '加盟商').click();
  const code = `FR-${tag}`;
  await page.getByRole('button', { name: '新建加盟商' }).click();
  const form = page.getByRole('form', { name: '新建加盟商' });
  await form.getByLabel('编码').fill(code);
  await form.getByLabel('名称').fill('南山加盟商');
  await form.getByLabel('联系人').fill('李四');
  await form.getByLabel('联系电话').fill('13900000001');
  await form.getByRole('button', { name: '保存' }).click();
  await form.waitFor({ state: 'detached' });

  // Found by a batch of codes (one unknown among them), spaces, commas and lines mixed.
  await page.getByLabel(/加盟商编码/).fill(`NO-SUCH-${tag}，${code}\nFR-NONE-${tag}`);
  await page.getByRole('button', { name: '搜索' }).click();
  await page.waitForLoadState('networkidle');
  const rows = page.getByRole('table', { name: '加盟商列表' }).locator('tbody tr');
  const row = page.getByTestId(`franchisee-${code}`);
  await row.waitFor();
  expect(await rowCount(rows, 1)).toBe(1);
  await expect(row.textContent()).resolves.toContain('李四');
  await browser.screenshot(page, 'franchisee-by-codes');

  // Keyset pages over a batch of 25 codes: 20, then 5, and back.
  const batch = Array.from({ length: 25 }, (_, i) => `FP-${tag}-${String(i).padStart(2, '0')}`);
  // One after the other: newest first means the last made leads the first page.
  for (const c of batch) ok(await gql(graphqlUrl, 'mutation($i: FranchiseeInput!) { upsertFranchisee(input: $i) { id } }', { i: { code: c, name: `分页加盟商 ${c}` } }, admin.headers));
  await page.getByLabel(/加盟商编码/).fill(batch.join(' '));
  await page.getByRole('button', { name: '搜索' }).click();
  await page.waitForLoadState('networkidle');
  await page.getByTestId(`franchisee-${batch[24]}`).waitFor();
  expect(await rowCount(rows, 20)).toBe(20);
  await page.getByRole('button', { name: '下一页' }).click();
  await page.getByTestId(`franchisee-${batch[0]}`).waitFor();
  expect(await rowCount(rows, 5)).toBe(5);
  await expect(page.getByRole('button', { name: '下一页' }).count()).resolves.toBe(0);
  await page.getByRole('button', { name: '上一页' }).click();
  await page.getByTestId(`franchisee-${batch[24]}`).waitFor();
  expect(await rowCount(rows, 20)).toBe(20);
  await page.getByLabel(/加盟商编码/).fill(code);
  await page.getByRole('button', { name: '搜索' }).click();
  await page.waitForLoadState('networkidle');
  await page.getByTestId(`franchisee-${batch[24]}`).waitFor({ state: 'detached' });

  await row.getByRole('button', { name: '编辑' }).click();
  const edit = page.getByRole('form', { name: `编辑加盟商 ${code}` });
  await expect(edit.getByLabel('编码').getAttribute('readonly')).resolves.not.toBeNull();
  await edit.getByLabel('名称').fill('南山加盟商（新）');
  await edit.getByLabel('状态').selectOption('DISABLED');
  await edit.getByRole('button', { name: '保存' }).click();
  await row.getByText('南山加盟商（新）').waitFor();
  await expect(row.textContent()).resolves.toContain('停用');

  await menu(page, '销售分公司').click();
  const branch = `BR-${tag}`;
  await page.getByRole('button', { name: '新建分公司' }).click();
  const branchForm = page.getByRole('form', { name: '新建分公司' });
  await branchForm.getByLabel('编码').fill(branch);
  await branchForm.getByLabel('名称').fill('深圳销售分公司');
  await branchForm.getByRole('button', { name: '保存' }).click();
  await branchForm.waitFor({ state: 'detached' });
  await page.getByLabel(/分公司编码/).fill(`${branch} NO-SUCH-${tag}`);
  await page.getByRole('button', { name: '搜索' }).click();
  await page.waitForLoadState('networkidle');
  await page.getByTestId(`branch-${branch}`).getByText('深圳销售分公司').waitFor();
  expect(await rowCount(page.getByRole('table', { name: '分公司列表' }).locator('tbody tr'), 1)).toBe(1);
  await browser.screenshot(page, 'branch-by-codes');

  // A bad code is the API's BAD_USER_INPUT, shown with its code; nothing is written.
  await page.getByRole('button', { name: '新建分公司' }).click();
  await branchForm.getByLabel('编码').fill('坏 code');
  await branchForm.getByLabel('名称').fill('坏分公司');
  await branchForm.getByRole('button', { name: '保存' }).click();
  await branchForm.getByRole('alert').getByText(/BAD_USER_INPUT/).waitFor();
  expect(await supergraph.subgraphs.user!.db('sales_branches').where({ name: '坏分公司' })).toHaveLength(0);

  // The API refuses a store clerk (store:operate only): the console has no back door.
  const refused = await gql(graphqlUrl, 'mutation($i: FranchiseeInput!) { upsertFranchisee(input: $i) { id } }', { i: { code: `FX-${tag}`, name: 'x' } }, clerk);
  expect(codeOf(refused)).toBe('FORBIDDEN');
  expect(codeOf(await gql(graphqlUrl, '{ franchisees { edges { node { code } } } }', {}, clerk))).toBe('FORBIDDEN');
  expect(page.errors).toEqual([]);
});

it("edits a store's name and business status from its page, which lists its terminals and staff", async () => {
  const page = await browser.newPage();
  await signIn(page, admin.username);
  await menu(page, '门店目录').click();
  // A new store, with its franchisee by code.
  const franchisee = `FS-${tag}`;
  ok(await gql(graphqlUrl, 'mutation($i: FranchiseeInput!) { upsertFranchisee(input: $i) { id } }', { i: { code: franchisee, name: '福田加盟商' } }, admin.headers));
  const fresh = `BN${tag}`;
  await page.getByRole('button', { name: '新建门店' }).click();
  const create = page.getByRole('form', { name: '新建门店' });
  await create.getByLabel('编码', { exact: true }).fill(fresh);
  await create.getByLabel('名称').fill('福田新店');
  await create.getByLabel('加盟商编码').fill(franchisee);
  await create.getByRole('button', { name: '保存' }).click();
  await create.waitFor({ state: 'detached' });
  await page.getByTestId(`store-${fresh}`).getByText(`${franchisee} 福田加盟商`).waitFor();

  await page.getByLabel(/门店编码/).fill(STORE);
  await page.getByRole('button', { name: '搜索' }).click();
  await page.waitForLoadState('networkidle');
  await page.getByTestId(`store-${STORE}`).getByRole('link', { name: STORE }).click();
  await page.waitForURL(`${origin}/console/backoffice/stores/${STORE}`);
  await page.getByTestId('store-name').getByText(`测试门店 ${STORE}`).waitFor();
  // Its staff: the clerk made for it.
  await page.getByRole('table', { name: '门店员工' }).getByRole('cell', { name: '店员乙' }).waitFor();

  await page.getByRole('button', { name: '编辑门店' }).click();
  const form = page.getByRole('form', { name: `编辑门店 ${STORE}` });
  await expect(form.getByLabel('地址').inputValue()).resolves.toBe('南山区科技园');
  await form.getByLabel('名称').fill(`新名字 ${STORE}`);
  await form.getByRole('button', { name: '保存' }).click();
  await page.getByTestId('store-name').getByText(`新名字 ${STORE}`).waitFor();

  await page.getByRole('form', { name: '营业状态' }).getByLabel('营业状态').selectOption('PAUSED');
  await page.getByRole('button', { name: '设置营业状态' }).click();
  await page.getByTestId('store-business-status').getByText('暂停营业').waitFor();
  await browser.screenshot(page, 'store-edited');
  const store = ok(await gql(graphqlUrl, 'query($c: String!) { store(code: $c) { name address businessStatus status } }', { c: STORE }, admin.headers)).store;
  // The whole entry was sent back: the address is kept.
  expect(store).toEqual({ name: `新名字 ${STORE}`, address: '南山区科技园', businessStatus: 'PAUSED', status: 'ACTIVE' });

  // A clerk may set the business status of their store, never edit the entry.
  const edit = await gql(graphqlUrl, 'mutation($i: StoreInput!) { upsertStore(input: $i) { code } }', { i: { code: STORE, name: '改名' } }, clerk);
  expect(codeOf(edit)).toBe('FORBIDDEN');
  // An unknown franchisee: BAD_USER_INPUT naming the field, nothing changed.
  const bad = await gql(graphqlUrl, 'mutation($i: StoreInput!) { upsertStore(input: $i) { code } }', { i: { code: STORE, name: '改名', franchiseeCode: `NONE-${tag}` } }, admin.headers);
  expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'franchiseeCode' });
  ok(await gql(graphqlUrl, 'mutation($c: String!) { setStoreBusinessStatus(code: $c, businessStatus: OPEN) { code } }', { c: STORE }, clerk));
  expect(ok(await gql(graphqlUrl, 'query($c: String!) { store(code: $c) { name businessStatus } }', { c: STORE }, admin.headers)).store).toEqual({ name: `新名字 ${STORE}`, businessStatus: 'OPEN' });
  expect(page.errors).toEqual([]);
});

it('creates a custom role of two permissions and edits it; built-in roles are read-only', async () => {
  const page = await browser.newPage();
  await signIn(page, admin.username);
  await menu(page, '门店角色').click();
  await page.getByTestId('role-store').waitFor();
  // Built-in: neither edited nor deleted here.
  await expect(page.getByTestId('role-store').getByRole('button').count()).resolves.toBe(0);
  await expect(page.getByTestId('role-store').textContent()).resolves.toContain('只读');

  const name = `cashier_${tag.toLowerCase()}`;
  await page.getByRole('button', { name: '新建角色' }).click();
  const form = page.getByRole('form', { name: '新建角色' });
  await form.getByLabel('角色名').fill(name);
  await form.getByRole('checkbox', { name: /^store:operate（/ }).check();
  await form.getByRole('checkbox', { name: /^promote:write（/ }).check();
  await form.getByRole('button', { name: '保存' }).click();
  const row = page.getByTestId(`role-${name}`);
  await row.waitFor();
  await expect(row.textContent()).resolves.toMatch(/promote:write.*store:operate|store:operate.*promote:write/);
  await browser.screenshot(page, 'role-created');
  const created = ok(await gql(graphqlUrl, 'query($n: String!) { staffRole(name: $n) { scopes builtIn } }', { n: name }, admin.headers)).staffRole;
  expect({ ...created, scopes: [...created.scopes].sort() }).toEqual({ scopes: ['promote:write', 'store:operate'], builtIn: false });

  await row.getByRole('button', { name: '编辑权限' }).click();
  const edit = page.getByRole('form', { name: `编辑角色 ${name} 的权限` });
  await expect(edit.getByRole('checkbox', { name: /^store:operate（/ }).isChecked()).resolves.toBe(true);
  await edit.getByRole('checkbox', { name: /^promote:write（/ }).uncheck();
  await edit.getByRole('checkbox', { name: /^order:write（/ }).check();
  await edit.getByRole('button', { name: '保存' }).click();
  await edit.waitFor({ state: 'detached' });
  await row.getByText(/order:write/).waitFor();
  const edited = ok(await gql(graphqlUrl, 'query($n: String!) { staffRole(name: $n) { scopes } }', { n: name }, admin.headers)).staffRole;
  expect([...edited.scopes].sort()).toEqual(['order:write', 'store:operate']);
  await browser.screenshot(page, 'role-edited');

  // Refusals at the API: a built-in role (CONFLICT), an unknown permission (BAD_USER_INPUT), a clerk (FORBIDDEN).
  expect(codeOf(await gql(graphqlUrl, 'mutation { updateStaffRole(name: "store", scopes: ["order:write"]) { name } }', {}, admin.headers))).toBe('CONFLICT');
  expect(codeOf(await gql(graphqlUrl, 'mutation($n: String!) { updateStaffRole(name: $n, scopes: ["no:such"]) { name } }', { n: name }, admin.headers))).toBe('BAD_USER_INPUT');
  expect(codeOf(await gql(graphqlUrl, 'mutation($n: String!) { deleteStaffRole(name: $n) }', { n: name }, clerk))).toBe('FORBIDDEN');

  await row.getByRole('button', { name: '删除' }).click();
  await row.getByRole('button', { name: '确定删除' }).click();
  await row.waitFor({ state: 'detached' });
  expect(codeOf(await gql(graphqlUrl, 'query($n: String!) { staffRole(name: $n) { name } }', { n: name }, admin.headers))).toBe('NOT_FOUND');
  expect(page.errors).toEqual([]);
});

it('shows a back office admin (store:admin) the roles read-only: defining them is staff:admin\'s', async () => {
  const username = `bp_bo_${crypto.randomBytes(4).toString('hex')}`;
  ok(await gql(graphqlUrl, 'mutation($i: CreateStaffAccountInput!) { createStaffAccount(input: $i) { id } }', {
    i: { username, password: PASSWORD, realName: '后台管理员', roles: ['backoffice'], storeCodes: [], allStores: true },
  }, admin.headers));
  const page = await browser.newPage();
  await signIn(page, username);
  await menu(page, '门店角色').click();
  await page.getByTestId('role-store').waitFor();
  await page.getByText('角色由系统管理员（staff:admin）定义').waitFor();
  await expect(page.getByRole('button', { name: '新建角色' }).count()).resolves.toBe(0);
  await expect(page.getByRole('table', { name: '角色与权限' }).getByRole('button').count()).resolves.toBe(0);
  await browser.screenshot(page, 'roles-read-only');
  const backOffice = await login(username, PASSWORD);
  expect(codeOf(await gql(graphqlUrl, 'mutation { createStaffRole(name: "sneaky", scopes: ["store:operate"]) { name } }', {}, backOffice))).toBe('FORBIDDEN');
  // Nor can it give a role above its own permissions to an account it creates.
  const above = await gql(graphqlUrl, 'mutation($i: CreateStaffAccountInput!) { createStaffAccount(input: $i) { id } }', {
    i: { username: `${username}_x`, password: PASSWORD, realName: '越权', roles: ['finance'], storeCodes: [STORE] },
  }, backOffice);
  expect(above.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ROLE_ABOVE_GRANTOR' });
  expect(page.errors).toEqual([]);
});

it("shows a bound terminal's page (store, bound at, last sign-in) and revokes it there", async () => {
  const page = await browser.newPage();
  await signIn(page, admin.username);
  await page.goto(`${origin}/console/backoffice/stores/${STORE}`);
  const terminals = page.getByRole('table', { name: '门店终端' });
  await terminals.waitFor();
  // The one-time binding code, issued from the store's terminal list.
  await page.getByRole('button', { name: '生成绑定码' }).click();
  const code = (await page.getByTestId('binding-code').textContent())!;
  expect(code).toMatch(/^[A-Z0-9]{10}$/);
  const deviceId = `POS-${tag}`;
  const bound = ok(await gql(graphqlUrl, 'mutation($c: String!, $d: String) { bindTerminal(code: $c, name: "收银台 9", deviceId: $d) { deviceSecret terminal { id } } }', { c: code, d: deviceId }));
  const terminalId = bound.bindTerminal.terminal.id;
  ok(await gql(graphqlUrl, 'mutation($s: String!) { terminalSignIn(deviceSecret: $s) { accessToken } }', { s: bound.bindTerminal.deviceSecret }));

  await page.getByRole('button', { name: '刷新' }).click();
  await page.getByTestId(`terminal-${terminalId}`).getByRole('link', { name: '收银台 9' }).click();
  await page.waitForURL(`${origin}/console/backoffice/terminals/${terminalId}`);
  await page.getByTestId('terminal-device').getByText(deviceId).waitFor();
  await expect(page.getByTestId('terminal-store').textContent()).resolves.toContain(STORE);
  await expect(page.getByTestId('terminal-last-seen').textContent()).resolves.toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  await expect(page.getByTestId('terminal-state').textContent()).resolves.toBe('使用中');
  await browser.screenshot(page, 'terminal-detail');

  await page.getByRole('button', { name: '注销终端' }).click();
  await page.getByRole('button', { name: '确定注销' }).click();
  await page.getByTestId('terminal-state').getByText('已注销').waitFor();
  await browser.screenshot(page, 'terminal-revoked');
  // Its secret is refused from now on.
  const again = await gql(graphqlUrl, 'mutation($s: String!) { terminalSignIn(deviceSecret: $s) { accessToken } }', { s: bound.bindTerminal.deviceSecret });
  expect(codeOf(again)).toBe('UNAUTHENTICATED');
  // An unknown terminal: NOT_FOUND, shown on the page.
  await page.goto(`${origin}/console/backoffice/terminals/999999999`);
  await page.getByRole('alert').getByText(/NOT_FOUND/).waitFor();
  expect(page.errors.filter((e) => !/NOT_FOUND|Not Found|404/i.test(e))).toEqual([]);
});

it("sets a member card from identification, and says in Chinese when another member holds the number", async () => {
  const first = await shopper();
  const second = await shopper();
  const number = `66${crypto.randomInt(10 ** 9, 10 ** 10)}`;
  const page = await browser.newPage();
  await signIn(page, admin.username);
  await menu(page, '会员识别').click();
  await pickStore(page, STORE);
  await page.getByLabel('会员码').fill(first.phone);
  await page.getByRole('button', { name: '识别' }).click();
  await page.getByTestId('member-id').getByText(first.userId, { exact: true }).waitFor();
  await page.getByRole('link', { name: '查看、设置会员卡' }).click();
  await page.waitForURL(/\/console\/backoffice\/member-cards\?userId=/);
  const cards = page.getByRole('form', { name: '设置会员卡' });
  await page.getByRole('table', { name: '会员卡列表' }).getByText('还没有会员卡').waitFor();
  await cards.getByLabel('卡类型').selectOption('WECHAT');
  await cards.getByLabel('卡号').fill(number);
  await cards.getByRole('button', { name: '保存' }).click();
  await page.getByTestId('card-WECHAT').getByText(number).waitFor();
  await browser.screenshot(page, 'member-card-set');

  // The other member, by user id: the same number is refused (CONFLICT), in Chinese, and nothing changes.
  await page.getByLabel('会员 ID').fill(second.userId);
  await page.getByRole('button', { name: '查询' }).click();
  await page.getByRole('heading', { name: `会员 ${second.userId} 的会员卡` }).waitFor();
  await cards.getByLabel('卡类型').selectOption('WECHAT');
  await cards.getByLabel('卡号').fill(number);
  await cards.getByRole('button', { name: '保存' }).click();
  const refusal = page.getByRole('alert');
  await refusal.getByText('该卡号已属于另一位会员').waitFor();
  await expect(refusal.getAttribute('data-code')).resolves.toBe('CONFLICT');
  await browser.screenshot(page, 'member-card-conflict');
  const held = async (userId: string) => ok(await gql(graphqlUrl, 'query($u: ID!) { memberCards(userId: $u) { kind number } }', { u: userId }, admin.headers)).memberCards;
  await expect(held(second.userId)).resolves.toEqual([]);
  await expect(held(first.userId)).resolves.toEqual([{ kind: 'WECHAT', number }]);
  // The number now identifies the first member at the counter.
  const found = ok(await gql(graphqlUrl, 'query($s: String!, $c: String!) { identifyMember(storeCode: $s, code: $c) { kind userId } }', { s: STORE, c: number }, clerk)).identifyMember;
  expect(found).toEqual({ kind: 'WECHAT_CARD', userId: first.userId });
  // Refusals at the API: a clerk (FORBIDDEN), a malformed number (BAD_USER_INPUT).
  expect(codeOf(await gql(graphqlUrl, 'mutation($u: ID!) { setMemberCard(userId: $u, kind: SHOP, number: "12345678") { kind } }', { u: second.userId }, clerk))).toBe('FORBIDDEN');
  expect(codeOf(await gql(graphqlUrl, 'mutation($u: ID!) { setMemberCard(userId: $u, kind: SHOP, number: "1") { kind } }', { u: second.userId }, admin.headers))).toBe('BAD_USER_INPUT');
  expect(page.errors).toEqual([]);
});
