/**
 * Staff roles on the user subgraph: the seeded admin holds every scope, scopes come from roles at sign-in and again at
 * refresh, `scripts/create-staff.ts` makes staff accounts (as a real process), and the demo seed is idempotent and
 * refused in production.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import type { Knex } from 'knex';
import { verifyAccessToken } from '../../platform/access-token';
import { ALL_SCOPES } from '../../platform/identity';
import type { RunningSupergraph } from '../../app/launcher';
import { anonymousTo, asIdentity, codes, gql, startSupergraph, testConfig, type GraphQLResponse } from '../../test/support/harness';
import { findRoleId, grantRole } from './data/roles';
import { DEMO_SHOPPER, seedDemo } from './seed';
import { createStaff } from './staff';

const config = testConfig();
let supergraph: RunningSupergraph;
let url: string;
let db: Knex;

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['user'], router: false });
  url = supergraph.subgraphs.user!.url;
  db = supergraph.subgraphs.user!.db;
});
afterAll(async () => {
  await supergraph?.stop();
});

const LOGIN = 'mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken user { id nickname scopes } } }';
const REFRESH = 'mutation($token: String!) { refreshToken(refreshToken: $token) { accessToken refreshToken user { scopes } } }';

interface Login {
  accessToken: string;
  refreshToken: string;
  user: { id: string; nickname: string; scopes: string[] };
}

function ok<T>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

const login = async (account: string, password: string) =>
  ok(await gql<{ login: Login }>(url, LOGIN, { input: { account, password } }, anonymousTo('user'))).login;
const uniqueUsername = () => `staff_${crypto.randomBytes(5).toString('hex')}`;

describe('demo seed', () => {
  it('gives the admin account every scope, in the token and on me', async () => {
    const admin = await login('admin', config.adminPassword);
    expect(verifyAccessToken(admin.accessToken, config).scopes).toEqual(ALL_SCOPES);
    expect(admin.user.scopes).toEqual(ALL_SCOPES);
    const claims = verifyAccessToken(admin.accessToken, config);
    const me = ok(await gql(url, '{ me { scopes } }', {}, asIdentity({ userId: claims.userId, scopes: claims.scopes }, 'user')));
    expect(me).toEqual({ me: { scopes: ALL_SCOPES } });
  });

  it('has a demo shopper who signs in by phone and by email, with a default address', async () => {
    for (const account of [DEMO_SHOPPER.phone, DEMO_SHOPPER.email]) {
      const shopper = await login(account, DEMO_SHOPPER.password);
      expect(shopper.user.scopes).toEqual([]);
    }
    const { id } = await db('users').where({ phone: DEMO_SHOPPER.phone }).first();
    expect(await db('addresses').where({ user_id: id, is_default: true }).count<{ count: string }>({ count: '*' }).first()).toEqual({ count: '1' });
  });

  it('is idempotent and never runs in production', async () => {
    await seedDemo(db, config);
    expect(await db('users').whereIn('username', ['admin']).orWhere({ phone: DEMO_SHOPPER.phone }).count<{ count: string }>({ count: '*' }).first()).toEqual({ count: '2' });
    expect((await login('admin', config.adminPassword)).user.scopes).toEqual(ALL_SCOPES);
    await expect(seedDemo(db, { ...config, isProduction: true })).rejects.toThrow(/never seeded/);
  });
});

describe('roles and scopes', () => {
  it('puts the scopes of the staff member’s roles in the token, and reads them again at refresh', async () => {
    const username = uniqueUsername();
    const created = await createStaff(db, { username, role: 'catalog', password: 'Catalog123' });
    expect(created.scopes).toEqual(['catalog:write']);
    const staff = await login(username.toUpperCase(), 'Catalog123');
    expect(verifyAccessToken(staff.accessToken, config).scopes).toEqual(['catalog:write']);

    await grantRole(db, staff.user.id, (await findRoleId(db, 'finance'))!);
    const refreshed = ok(await gql<{ refreshToken: Login }>(url, REFRESH, { token: staff.refreshToken }, anonymousTo('user'))).refreshToken;
    expect(verifyAccessToken(refreshed.accessToken, config).scopes).toEqual(['catalog:write', 'payment:refund']);
    expect(refreshed.user.scopes).toEqual(['catalog:write', 'payment:refund']);
  });

  it('sets a new password and adds the role when the staff account exists', async () => {
    const username = uniqueUsername();
    await createStaff(db, { username, role: 'marketing', password: 'First1234' });
    await createStaff(db, { username, role: 'fulfillment', password: 'Second1234' });
    expect(codes(await gql(url, LOGIN, { input: { account: username, password: 'First1234' } }, anonymousTo('user')))).toEqual(['UNAUTHENTICATED']);
    expect((await login(username, 'Second1234')).user.scopes).toEqual(['promote:write', 'order:write']);
  });

  it('refuses unknown roles, bad usernames and weak passwords, creating nothing', async () => {
    const username = uniqueUsername();
    await expect(createStaff(db, { username, role: 'root', password: 'Good12345' })).rejects.toThrow(/unknown role "root"/);
    await expect(createStaff(db, { username, role: 'admin', password: 'short1' })).rejects.toThrow(/password: /);
    await expect(createStaff(db, { username: '1bad name', role: 'admin', password: 'Good12345' })).rejects.toThrow(/username: /);
    expect(await db('users').where({ username }).first()).toBeUndefined();
  });
});

describe('scripts/create-staff.ts', () => {
  const root = path.resolve(__dirname, '../..');
  const run = (args: string[], env: Record<string, string | undefined>) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), ['scripts/create-staff.ts', ...args], {
        cwd: root,
        env: { ...process.env, NODE_ENV: 'test', ...env } as NodeJS.ProcessEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk));
      child.on('close', (code) => resolve({ code, output }));
    });

  it('creates a staff account that signs in with the role’s scopes; the password is never printed', async () => {
    const username = uniqueUsername();
    const password = `Pw${crypto.randomBytes(6).toString('hex')}9`;
    const result = await run([username, 'admin'], { STAFF_PASSWORD: password });
    expect(result).toMatchObject({ code: 0, output: expect.stringContaining(`Staff account "${username}"`) });
    expect(result.output).toContain(ALL_SCOPES.join(', '));
    expect(result.output).not.toContain(password);
    expect(verifyAccessToken((await login(username, password)).accessToken, config).scopes).toEqual(ALL_SCOPES);
  });

  it('exits 1 with a readable message for a missing password, an unknown role, a weak password or missing arguments', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [[uniqueUsername(), 'admin'], {}, /set STAFF_PASSWORD/],
      [[uniqueUsername(), 'root'], { STAFF_PASSWORD: 'Good12345' }, /unknown role "root"/],
      [[uniqueUsername(), 'admin'], { STAFF_PASSWORD: 'weakpassword' }, /password: .*letter and one digit/],
      [[uniqueUsername()], { STAFF_PASSWORD: 'Good12345' }, /Usage:/],
    ];
    // In parallel: each run is mostly tsx starting up.
    const results = await Promise.all(cases.map(([args, env]) => run(args, { STAFF_PASSWORD: undefined, ...env })));
    results.forEach((result, i) => {
      expect(result.code).toBe(1);
      expect(result.output).toMatch(cases[i][2]);
    });
    expect(await db('users').whereIn('username', cases.map(([args]) => args[0])).first()).toBeUndefined();
  });
});
