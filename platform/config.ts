/**
 * The one place that reads the environment. Everything else receives a typed `Config`.
 */
import path from 'node:path';
import { checkDevelopmentSecrets, warnDevelopmentSecrets } from './secrets';

export const SUBGRAPH_NAMES = ['user', 'product', 'cart', 'order', 'promote', 'payment'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export const DEFAULT_PORTS: Record<SubgraphName | 'router', number> = {
  router: 4000,
  user: 4001,
  product: 4002,
  cart: 4003,
  order: 4004,
  promote: 4005,
  payment: 4006,
};

/** Development-only secrets: never accepted when NODE_ENV=production. */
const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me';
const DEV_INTERNAL_SECRET = 'dev-only-internal-secret-change-me';
export const DEV_ADMIN_PASSWORD = 'admin12345';

export interface Config {
  env: 'production' | 'development' | 'test';
  isProduction: boolean;
  /** Root of the repository (where package.json lives). */
  rootDir: string;
  /** Where the embedded database and other local state live. */
  dataDir: string;
  /** Shared DATABASE_URL, or undefined for the embedded PGlite. */
  databaseUrl?: string;
  /** Per-subgraph override `<NAME>_DATABASE_URL`. */
  subgraphDatabaseUrls: Partial<Record<SubgraphName, string>>;
  redisUrl?: string;
  jwtSecret: string;
  internalSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Max age of a signed identity / service header before it is refused (replay window). */
  identityMaxAgeSeconds: number;
  host: string;
  /**
   * How many reverse proxies in front of the router append to X-Forwarded-For (TRUST_PROXY_HOPS, default 0: the
   * header is ignored and the socket's address is the client's). See router/client-address.ts.
   */
  trustProxyHops: number;
  ports: Record<SubgraphName | 'router', number>;
  /** Where the router sends each subgraph's requests; defaults to the routing_url of the supergraph. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  supergraphPath: string;
  /** How long the router waits for a subgraph (SUBGRAPH_TIMEOUT_MS), unless `subgraphTimeouts` names it. */
  subgraphTimeoutMs: number;
  /** Per-subgraph override `<NAME>_TIMEOUT_MS`. */
  subgraphTimeouts: Partial<Record<SubgraphName, number>>;
  /** Keep-alive sockets the router opens to each subgraph origin at most (SUBGRAPH_MAX_SOCKETS). */
  subgraphMaxSockets: number;
  explorerEnabled: boolean;
  adminPassword: string;
  /** Whether ADMIN_PASSWORD was set (otherwise the development default; seeding it off loopback is refused). */
  adminPasswordSet: boolean;
  /** WeChat mini-program login (jscode2session); `timeoutMs` bounds each call (WECHAT_TIMEOUT_MS). */
  wechat: { appId?: string; secret?: string; apiBase: string; timeoutMs: number };
  /** `login` throttling: failed sign-ins per account per window (LOGIN_MAX_FAILURES, LOGIN_FAILURE_WINDOW_SECONDS). */
  loginRateLimit: { maxFailures: number; windowSeconds: number };
  /** `register` throttling: attempts per phone number per window (REGISTER_MAX_ATTEMPTS, REGISTER_WINDOW_SECONDS). */
  registerRateLimit: { maxAttempts: number; windowSeconds: number };
  /** Knex pool size per subgraph. */
  dbPoolMax: number;
  /** With DATABASE_URL, each subgraph logs in as its own role (DB_SEPARATE_ROLES, default true). */
  dbSeparateRoles: boolean;
  /** Largest `first` a connection accepts. */
  maxPageSize: number;
  /** Shipping rule for the price check: free at or above the threshold. */
  shipping: { feeFen: number; freeThresholdFen: number };
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return value;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(raw.toLowerCase());
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const isProduction = nodeEnv === 'production';
  const rootDir = path.resolve(__dirname, '..');

  if (isProduction) {
    const missing = ['JWT_SECRET', 'INTERNAL_SECRET'].filter((name) => !env[name]);
    if (missing.length) throw new Error(`NODE_ENV=production requires ${missing.join(' and ')} to be set`);
    if (env.JWT_SECRET === DEV_JWT_SECRET || env.INTERNAL_SECRET === DEV_INTERNAL_SECRET) {
      throw new Error('NODE_ENV=production refuses the development secrets');
    }
  }
  const host = env.HOST || '127.0.0.1';
  // Outside production the public development secrets are allowed on loopback only (see secrets.ts).
  const devSecrets = isProduction ? [] : checkDevelopmentSecrets(env, host);
  // jest sets NODE_ENV=test: every test worker would print it.
  if (nodeEnv === 'development') warnDevelopmentSecrets(devSecrets, host);

  const ports = { ...DEFAULT_PORTS };
  ports.router = int(env, 'ROUTER_PORT', int(env, 'PORT', ports.router));
  const subgraphDatabaseUrls: Config['subgraphDatabaseUrls'] = {};
  const subgraphUrls: Config['subgraphUrls'] = {};
  const subgraphTimeouts: Config['subgraphTimeouts'] = {};
  for (const name of SUBGRAPH_NAMES) {
    const upper = name.toUpperCase();
    ports[name] = int(env, `${upper}_PORT`, ports[name]);
    if (env[`${upper}_DATABASE_URL`]) subgraphDatabaseUrls[name] = env[`${upper}_DATABASE_URL`];
    if (env[`${upper}_URL`]) subgraphUrls[name] = env[`${upper}_URL`];
    if (env[`${upper}_TIMEOUT_MS`]) subgraphTimeouts[name] = int(env, `${upper}_TIMEOUT_MS`, 0);
  }

  return {
    env: nodeEnv,
    isProduction,
    rootDir,
    dataDir: path.resolve(rootDir, env.DATA_DIR || '.data'),
    databaseUrl: env.DATABASE_URL || undefined,
    subgraphDatabaseUrls,
    redisUrl: env.REDIS_URL || undefined,
    jwtSecret: env.JWT_SECRET || DEV_JWT_SECRET,
    internalSecret: env.INTERNAL_SECRET || DEV_INTERNAL_SECRET,
    accessTokenTtlSeconds: int(env, 'ACCESS_TOKEN_TTL_SECONDS', 15 * 60),
    refreshTokenTtlSeconds: int(env, 'REFRESH_TOKEN_TTL_SECONDS', 30 * 24 * 3600),
    identityMaxAgeSeconds: int(env, 'IDENTITY_MAX_AGE_SECONDS', 60),
    host,
    trustProxyHops: int(env, 'TRUST_PROXY_HOPS', 0),
    ports,
    subgraphUrls,
    supergraphPath: path.resolve(rootDir, env.SUPERGRAPH_PATH || 'schema/supergraph.graphql'),
    subgraphTimeoutMs: int(env, 'SUBGRAPH_TIMEOUT_MS', 10_000),
    subgraphTimeouts,
    subgraphMaxSockets: int(env, 'SUBGRAPH_MAX_SOCKETS', 64),
    explorerEnabled: bool(env, 'EXPLORER', !isProduction),
    adminPassword: env.ADMIN_PASSWORD || DEV_ADMIN_PASSWORD,
    adminPasswordSet: Boolean(env.ADMIN_PASSWORD),
    wechat: {
      appId: env.WECHAT_APPID || undefined,
      secret: env.WECHAT_SECRET || undefined,
      apiBase: env.WECHAT_API_BASE || 'https://api.weixin.qq.com',
      timeoutMs: int(env, 'WECHAT_TIMEOUT_MS', 5000),
    },
    loginRateLimit: {
      maxFailures: int(env, 'LOGIN_MAX_FAILURES', 10),
      windowSeconds: int(env, 'LOGIN_FAILURE_WINDOW_SECONDS', 15 * 60),
    },
    registerRateLimit: {
      maxAttempts: int(env, 'REGISTER_MAX_ATTEMPTS', 5),
      windowSeconds: int(env, 'REGISTER_WINDOW_SECONDS', 3600),
    },
    dbPoolMax: int(env, 'DB_POOL_MAX', 5),
    dbSeparateRoles: bool(env, 'DB_SEPARATE_ROLES', true),
    maxPageSize: int(env, 'MAX_PAGE_SIZE', 100),
    shipping: {
      feeFen: int(env, 'SHIPPING_FEE_FEN', 1000),
      freeThresholdFen: int(env, 'FREE_SHIPPING_THRESHOLD_FEN', 9900),
    },
  };
}
