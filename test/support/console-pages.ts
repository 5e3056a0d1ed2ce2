/**
 * What the console's browser tests share (test/browser/console*.test.ts): staff accounts made in the user subgraph and
 * signed in through the router, and signing in on the console's own page.
 */
import crypto from 'node:crypto';
import type { Page } from 'playwright-core';
import type { RunningSupergraph } from '../../app/launcher';
import { createStaff } from '../../subgraphs/user/staff';
import { bearer, gql } from './harness';

export const CONSOLE_PASSWORD = 'console-pass-1';

/** Signs `account` in through the router's `login`: the bearer header of its access token. */
export async function staffHeaders(graphqlUrl: string, account: string, password = CONSOLE_PASSWORD): Promise<Record<string, string>> {
  const signedIn = await gql(graphqlUrl, 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }', { input: { account, password } });
  if (signedIn.errors) throw new Error(`login of ${account} failed: ${JSON.stringify(signedIn.errors)}`);
  return bearer(signedIn.data.login.accessToken);
}

/** A new staff account of `role` (staff.ts), signed in: its username, user id and bearer header. */
export async function newConsoleStaff(
  supergraph: RunningSupergraph,
  graphqlUrl: string,
  role: string,
): Promise<{ username: string; userId: string; headers: Record<string, string> }> {
  const username = `c_${role.slice(0, 6)}_${crypto.randomBytes(4).toString('hex')}`;
  const { user } = await createStaff(supergraph.subgraphs.user!.db, { username, role, password: CONSOLE_PASSWORD });
  return { username, userId: String(user.id), headers: await staffHeaders(graphqlUrl, username) };
}

/** Signs in on the console's page and waits for the menu. */
export async function signInToConsole(page: Page, origin: string, username: string, password = CONSOLE_PASSWORD): Promise<void> {
  await page.goto(`${origin}/console`);
  await page.getByLabel('账号').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('navigation', { name: '菜单' }).waitFor();
}
