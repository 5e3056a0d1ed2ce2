/**
 * Test harness: start subgraphs (and the router) in-process on ephemeral ports against the run's database
 * (see global-setup), send GraphQL over real HTTP, and sign identities the way the router does.
 */
import crypto from 'node:crypto';
import { DEV_INTERNAL_SECRET, DEV_JWT_SECRET, loadConfig, SUBGRAPH_NAMES, type Config, type SubgraphName } from '../../platform/config';
import { openDatabases } from '../../app/databases';
import { IDENTITY_HEADER, signIdentity, type Identity } from '../../platform/identity';
import { launch, type RunningSupergraph } from '../../app/launcher';

/**
 * Every test client is 127.0.0.1 and, with REDIS_URL, counts outlive a run: per-address throttles are opened wide
 * unless a test sets its own (test/throttling.test.ts).
 */
const WIDE_ADDRESS_THROTTLES = {
  LOGIN_MAX_FAILURES_PER_IP: '1000000',
  REGISTER_MAX_PER_IP: '1000000',
  WECHAT_LOGIN_MAX_PER_IP: '1000000',
  REFRESH_MAX_PER_IP: '1000000',
  SMS_SEND_MAX_PER_IP: '1000000',
  MEMBER_CODE_MAX_FAILURES_PER_IP: '1000000',
};

/**
 * A router behind a proxy is public, so it refuses the implicit development secrets (platform/secrets.ts): tests of
 * proxied deployments set them explicitly — to the same values, so they interoperate with the other test services.
 */
export const BEHIND_PROXY = { TRUST_PROXY_HOPS: '1', JWT_SECRET: DEV_JWT_SECRET, INTERNAL_SECRET: DEV_INTERNAL_SECRET };

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ ...process.env, NODE_ENV: 'test', ...WIDE_ADDRESS_THROTTLES, ...overrides });
}

/** Starts the given subgraphs (default: every subgraph plus the router). Databases are already migrated and seeded. */
export async function startSupergraph(
  options: { subgraphs?: readonly SubgraphName[]; router?: boolean; config?: Config } = {},
): Promise<RunningSupergraph> {
  const config = options.config ?? testConfig();
  const names = options.subgraphs ?? SUBGRAPH_NAMES;
  const databases = await openDatabases(config, names, {
    migrate: false,
    separateRoles: process.env.SHOP_TEST_SEPARATE_ROLES === 'true',
  });
  const running = await launch({
    config,
    subgraphs: names,
    router: options.router,
    ephemeralPorts: true,
    seedDemo: false,
    databases,
  });
  return {
    ...running,
    async stop() {
      await running.stop();
      await databases.close();
    },
  };
}

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [key: string]: unknown } }[];
}

/** POST an operation; `headers` may carry `authorization` (router) or a signed identity (subgraph). */
export async function gql<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: response.status, ...body };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * The header the router would send to `audience` for this identity (for tests that talk to one subgraph directly).
 * Subgraphs refuse unsigned callers and headers signed for another subgraph: an anonymous call is `asIdentity({}, name)`.
 */
export function asIdentity(identity: Partial<Identity>, audience: SubgraphName, config: Config = testConfig()): Record<string, string> {
  return { [IDENTITY_HEADER]: signIdentity({ scopes: [], ...identity, audience }, config.serviceKeys) };
}

/** The anonymous shopper as the router would present them to `audience`. */
export const anonymousTo = (audience: SubgraphName, config?: Config) => asIdentity({}, audience, config);

/** Codes of the errors in a response, for `expect(codes(res)).toEqual([...])`. */
export const codes = (response: GraphQLResponse) => (response.errors ?? []).map((e) => e.extensions?.code);

/** A phone number no other test uses (mainland mobile format: 1[3-9] + 9 digits). */
export function uniquePhone(): string {
  return `13${crypto.randomInt(0, 1_000_000_000).toString().padStart(9, '0')}`;
}
