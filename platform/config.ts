/**
 * The one place that reads the environment. Everything else receives a typed `Config`.
 */
import { serviceKeysFromEnv, type ServiceKeys } from './service-keys';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { codeDir, projectDir } from './code-layout';
import { assertMoneyLimits, DEFAULT_MONEY_LIMITS, type MoneyLimits } from './money';
import { assertCompleteKeySets, developmentMode, KEY_SETS } from './modes';
import { LOG_LEVELS, type LogOptions } from './log';
import type { TracingConfig } from './tracing';
import { checkDevelopmentSecrets, publicReason, reachableOnlyLocally, warnDevelopmentSecrets } from './secrets';

export const SUBGRAPH_NAMES = ['user', 'product', 'cart', 'order', 'promote', 'payment', 'review', 'open'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export const DEFAULT_PORTS: Record<SubgraphName | 'router', number> = {
  router: 4000,
  user: 4001,
  product: 4002,
  cart: 4003,
  order: 4004,
  promote: 4005,
  payment: 4006,
  review: 4008,
  // The open platform's registry (docs/open-platform.md); its gateway endpoint is the router's /open/v1.
  open: 4007,
};

/** Development-only secrets: never accepted when NODE_ENV=production. */
export const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me';
export const DEV_INTERNAL_SECRET = 'dev-only-internal-secret-change-me';
/** Public development salt of Kuaidi100 pushes: only where the shop is reachable from this machine alone. */
export const DEV_KUAIDI100_SALT = 'dev-only-kuaidi100-salt';
export const DEV_ADMIN_PASSWORD = 'admin12345';

export interface Config {
  env: 'production' | 'development' | 'test';
  isProduction: boolean;
  /** The project folder (where package.json lives), also when running compiled from dist/ (code-layout.ts). */
  rootDir: string;
  /** Where the embedded database and other local state live. */
  dataDir: string;
  /** Shared DATABASE_URL, or undefined for the embedded PGlite. */
  databaseUrl?: string;
  /** Per-subgraph override `<NAME>_DATABASE_URL`. */
  subgraphDatabaseUrls: Partial<Record<SubgraphName, string>>;
  redisUrl?: string;
  jwtSecret: string;
  /**
   * Development / back-compat base secret: every service key not configured is derived from it, outside production
   * only (service-keys.ts). Production ignores it.
   */
  internalSecret: string;
  /** Per-service signing and verification keys of the identity header (SERVICE_KEY_<NAME>, service-keys.ts). */
  serviceKeys: ServiceKeys;
  accessTokenTtlSeconds: number;
  /**
   * Clock skew the router tolerates on an access token's lifetime (ACCESS_TOKEN_CLOCK_SKEW_SECONDS, default 30): a
   * token whose `exp` lies further ahead than ACCESS_TOKEN_TTL_SECONDS plus this is refused (docs/security.md).
   */
  accessTokenClockSkewSeconds: number;
  /** How often each router reads the shared list of revoked sessions (SESSION_REVOCATION_POLL_MS, default 1000). */
  sessionRevocationPollMs: number;
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
  /** Prometheus metrics (platform/metrics.ts, docs/operations.md "Metrics"). */
  metrics: MetricsConfig;
  /** Where the router sends each subgraph's requests; defaults to the routing_url of the supergraph. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  supergraphPath: string;
  /** How long the router waits for a subgraph (SUBGRAPH_TIMEOUT_MS), unless `subgraphTimeouts` names it. */
  subgraphTimeoutMs: number;
  /** Per-subgraph override `<NAME>_TIMEOUT_MS`. */
  subgraphTimeouts: Partial<Record<SubgraphName, number>>;
  /** Keep-alive sockets the router opens to each subgraph origin at most (SUBGRAPH_MAX_SOCKETS). */
  subgraphMaxSockets: number;
  /** The router shares identical in-flight subgraph queries (ROUTER_DEDUP, default true): router/dedup.ts. */
  routerDedup: boolean;
  /**
   * The router sends an operation that one subgraph answers alone straight to it, without the gateway's per-request
   * plan execution and reshaping (ROUTER_PASS_THROUGH, default true): router/pass-through.ts.
   */
  routerPassThrough: boolean;
  /**
   * Whether @apollo/gateway may send its own usage metrics (host, OS, CPU count and frequency, memory) to Apollo's
   * collector at https://usage-reporting.api.apollographql.com, hourly and on stop. Off unless
   * APOLLO_TELEMETRY_DISABLED is set to `false`: a shop's router does not report to a third party by default.
   */
  apolloTelemetry: boolean;
  /** LOG_LEVEL (default info; warn under jest) and LOG_FORMAT (json in production; pretty elsewhere unless json): platform/log.ts. */
  log: LogOptions;
  /** OTEL_EXPORTER_OTLP_ENDPOINT and friends: traces are off unless the endpoint is set (platform/tracing.ts). */
  tracing: TracingConfig;
  /** The product subgraph's cache of public catalog reads (docs/catalog-cache.md). */
  catalogCache: CatalogCacheConfig;
  /** The router's cache of answers declared public (docs/catalog-cache.md). */
  routerResponseCache: RouterResponseCacheConfig;
  /** Persisted operations and the safelist at the router (docs/persisted-operations.md). */
  safelist: SafelistConfig;
  explorerEnabled: boolean;
  adminPassword: string;
  /** Whether ADMIN_PASSWORD was set (otherwise the development default; seeding it off loopback is refused). */
  adminPasswordSet: boolean;
  /** Why others than this machine can reach this process (HOST, TRUST_PROXY_HOPS, PAYMENT_PUBLIC_URL); undefined when none can. */
  publicReason?: string;
  /**
   * WeChat mini-program login (jscode2session); `timeoutMs` bounds each call (WECHAT_TIMEOUT_MS). `devLogin`
   * (WECHAT_DEV_LOGIN, platform/modes.ts): without WECHAT_APPID/WECHAT_SECRET, the development stand-in signs in any
   * code — never in production, by default only on a loopback HOST.
   */
  wechat: { appId?: string; secret?: string; apiBase: string; timeoutMs: number; devLogin: boolean };
  /** Passport: WeChat session keys, SMS one-time codes and their throttles (docs/passport.md). */
  passport: PassportConfig;
  /** Promote: lucky red packets (docs/invites.md). */
  redPackets: RedPacketConfig;
  /** Promote: invitations (docs/invites.md). */
  invites: InviteConfig;
  /** User: WeChat mini-program code images (docs/mini-program-codes.md). */
  miniProgramCodes: MiniProgramCodeConfig;
  /** Promote: family coupon wallets and members' free-shipping coupons (docs/family-coupons.md). */
  familyCoupons: FamilyCouponConfig;
  /**
   * The SMS provider (docs/passport.md): Tencent Cloud SMS with TENCENT_SMS_* (all or none); else, when SMS_DEV_LOG is
   * on (platform/modes.ts: never in production, by default only on a loopback HOST), codes are written to the log
   * instead of sent; else sending is refused.
   */
  sms: SmsConfig;
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
  /** Most products one shopper's favorites hold (FAVORITES_MAX_PER_USER): docs/favorites.md. */
  favoritesMaxPerUser: number;
  /** Families and membership (docs/families.md). */
  family: FamilyConfig;
  /** Largest request body any server accepts (MAX_REQUEST_BODY_BYTES); larger ones answer 413. */
  maxRequestBodyBytes: number;
  /** Deepest nesting of arrays and objects in a JSON request body the router accepts (MAX_JSON_DEPTH); 400 past it. */
  maxJsonDepth: number;
  /** Longest `operationName` the router accepts (MAX_OPERATION_NAME_LENGTH); 400 past it, never echoed. */
  maxOperationNameLength: number;
  /** The router's HTTP server: timeouts a slow client cannot stretch and connections per client address (docs/limits.md). */
  http: HttpServerConfig;
  /** Largest subgraph response the router reads (SUBGRAPH_MAX_RESPONSE_BYTES); the read is cut off past it. */
  subgraphMaxResponseBytes: number;
  /** Operation limits checked by the router before planning (docs/limits.md). */
  operationLimits: OperationLimits;
  /** Shipping rule for the price check: free at or above the threshold. */
  shipping: { feeFen: number; freeThresholdFen: number };
  /** Money maximums (MAX_UNIT_PRICE_FEN, MAX_ORDER_TOTAL_FEN) keeping every amount inside GraphQL Int: platform/money.ts. */
  money: MoneyLimits;
  /** Per client address and per session throttles of the sign-in operations: docs/limits-money-and-throttling.md. */
  throttle: {
    /** Failed `login`s per address (LOGIN_MAX_FAILURES_PER_IP, LOGIN_IP_WINDOW_SECONDS). */
    loginPerIp: ThrottleRule;
    /** `register` attempts per address (REGISTER_MAX_PER_IP, REGISTER_IP_WINDOW_SECONDS). */
    registerPerIp: ThrottleRule;
    /** `loginWithWechat` attempts per address (WECHAT_LOGIN_MAX_PER_IP, WECHAT_LOGIN_WINDOW_SECONDS). */
    wechatPerIp: ThrottleRule;
    /** `refreshToken` attempts per address (REFRESH_MAX_PER_IP, REFRESH_WINDOW_SECONDS). */
    refreshPerIp: ThrottleRule;
    /** Refreshes per session, i.e. refresh-token family (REFRESH_MAX_PER_SESSION, REFRESH_WINDOW_SECONDS). */
    refreshPerSession: ThrottleRule;
  };
  /** Checkout and payment timeout (docs/orders.md, "Checkout"). */
  order: OrderConfig;
  /** Holds (stock reservations, coupon locks) as leases: docs/orders.md, "Holds". */
  holds: HoldsConfig;
  /** Events platform (platform/events, docs/events.md). */
  events: EventsConfig;
  /** The router's graphql-ws subscriptions (docs/subscriptions.md). */
  subscriptions: SubscriptionsConfig;
  /** Payment subgraph: methods, merchant keys, notify URLs, reconciliation (docs/payment.md). */
  payment: PaymentConfig;
  /** Shopper messages: WeChat mini-program subscribe messages per kind (docs/messages.md). */
  messages: MessagesConfig;
  /** Review subgraph (docs/reviews.md). */
  review: ReviewConfig;
  /** Order's shipments and carrier tracking (Kuaidi100), docs/logistics.md. */
  logistics: LogisticsConfig;
  /** The open platform: registry (open subgraph) and the router's gateway /open/v1 (docs/open-platform.md). */
  open: OpenConfig;
  /** Readiness probes and graceful shutdown (docs/operations.md, "Health and shutdown"). */
  lifecycle: LifecycleConfig;
  /** The open platform's call logs, ranking and slow-API monitor (docs/open-platform.md, "Call logs"). */
  openLogs: OpenLogsConfig;
}

export type SafelistModeName = 'off' | 'audit' | 'enforce';

export interface SafelistConfig {
  /**
   * The mode of clients without one set by staff, and of unnamed clients (SAFELIST_DEFAULT_MODE: off, audit or
   * enforce; default off outside production, audit in production: enforce once audit has shown only listed traffic).
   */
  defaultMode: SafelistModeName;
  /** How often each router reports its request counts per client version to the open subgraph (SAFELIST_TRAFFIC_FLUSH_MS, default 60000). */
  trafficFlushMs: number;
  /** Upper bound of `max-age` on public answers to GET /graphql (PERSISTED_GET_MAX_AGE_SECONDS, default 10; 0: never public). */
  getMaxAgeSeconds: number;
}

export interface LifecycleConfig {
  /**
   * After SIGTERM, how long in-flight HTTP requests may take to finish before their connections are cut
   * (SHUTDOWN_GRACE_MS, default 10000). Keep delay + grace + ~5 s below Kubernetes' terminationGracePeriodSeconds.
   */
  shutdownGraceMs: number;
  /**
   * After SIGTERM, how long a service keeps serving while /readyz already answers 503, so balancers polling it stop
   * sending before the listener closes (SHUTDOWN_DELAY_MS, default 0: nginx retries a refused connection at once;
   * Kubernetes needs a few seconds for endpoints to update, the manifests set 5000).
   */
  shutdownDelayMs: number;
  /** Bound of each /readyz dependency check (READINESS_TIMEOUT_MS, default 1000). */
  readinessTimeoutMs: number;
}

export interface OpenLogsConfig {
  /** Days of call logs kept, by whole partitions (OPEN_CALL_LOG_RETENTION_DAYS, default 30). */
  retentionDays: number;
  /** How often the monitor runs, once across every instance (OPEN_MONITOR_INTERVAL_MS, default 60000). */
  monitorIntervalMs: number;
  /** The window whose average response time is compared with the threshold (OPEN_MONITOR_WINDOW_MS, default 300000). */
  monitorWindowMs: number;
  /** SMTP server of alert mails, e.g. smtp://user:pass@mail.example.com:587 (OPEN_ALERT_SMTP_URL); unset: no mail. */
  smtpUrl: string | null;
  /** Sender of alert mails (OPEN_ALERT_EMAIL_FROM, default shop-monitor@localhost). */
  emailFrom: string;
  /** Recipients of alert mails, comma-separated (OPEN_ALERT_EMAIL_TO). */
  emailTo: string[];
  /** URL an alert is POSTed to as JSON (OPEN_ALERT_WEBHOOK_URL); unset: no webhook. */
  webhookUrl: string | null;
}

export interface OpenConfig {
  /**
   * 32-byte key sealing app secrets at rest (AES-256-GCM), held by the open subgraph and the routers
   * (OPEN_SECRET_KEY: 64 hex digits or 43 base64url characters). Unset outside production: derived from
   * INTERNAL_SECRET; production refuses to start the open subgraph or the router without it.
   */
  secretKey: Buffer | null;
  /** How often each router reads the registry's generation (OPEN_REGISTRY_POLL_MS, default 500; ≤ 2 s invalidation). */
  registryPollMs: number;
  /** Accepted distance of X-Timestamp from the router's clock (OPEN_TIMESTAMP_SKEW_SECONDS, default 300). */
  timestampSkewSeconds: number;
  /** How long a nonce is remembered per app (OPEN_NONCE_TTL_SECONDS, default 600; must exceed twice the skew). */
  nonceTtlSeconds: number;
  /**
   * Router instances deployed (OPEN_ROUTER_INSTANCES, default 2): with Redis down each instance admits
   * limit ÷ this many calls per window on its own counters.
   */
  routerInstances: number;
  /** Largest JSON body accepted (OPEN_MAX_BODY_BYTES, default 65536). */
  maxBodyBytes: number;
  /**
   * Test only (NODE_ENV=test): moves the gateway's clock so that it reads OPEN_TEST_CLOCK_START_MS (ms since the epoch)
   * when the configuration is loaded, e.g. just before midnight in China; 0 otherwise.
   */
  clockOffsetMs: number;
  /** How long one Redis command of the gateway may take before it counts locally instead (OPEN_REDIS_TIMEOUT_MS, default 250). */
  redisTimeoutMs: number;
  /** Consecutive failures of one subgraph that open its breaker (OPEN_BREAKER_FAILURES, default 5). */
  breakerFailures: number;
  /** How long an open breaker fails fast before one probe is let through (OPEN_BREAKER_HALF_OPEN_MS, default 10000). */
  breakerHalfOpenMs: number;
  /** Platform default of the slow-API alert (OPEN_ALERT_THRESHOLD_MS, default 1000); per API: alertThresholdMs. */
  alertThresholdMs: number;
  /** Characters of the request body kept in call records (OPEN_LOG_REQUEST_MAX_CHARS, default 4096). */
  logRequestMaxChars: number;
}

export interface ReviewConfig {
  /** The author may change a review this long after writing it (REVIEW_EDIT_WINDOW_HOURS, default 72; 0: never). */
  editWindowHours: number;
}

export interface LogisticsConfig {
  /**
   * Salt of Kuaidi100's push signature, sign = upper(md5(param + salt)) (KUAIDI100_SALT). Unset: a development salt
   * on a loopback HOST outside production; elsewhere null, and every push is refused.
   */
  kuaidi100Salt: string | null;
  /** Kuaidi100 authorization key for subscriptions (KUAIDI100_KEY); null: shipments are not subscribed. */
  kuaidi100Key: string | null;
  /** Kuaidi100's subscription endpoint (KUAIDI100_POLL_URL, default https://poll.kuaidi100.com/poll). */
  kuaidi100PollUrl: string;
  /** The public URL Kuaidi100 pushes to (KUAIDI100_CALLBACK_URL, default <PAYMENT_PUBLIC_URL>/notify/kuaidi100). */
  kuaidi100CallbackUrl: string;
}

/** The business moments a shopper can be sent a subscribe message about (docs/messages.md). */
export const MESSAGE_KINDS = ['ORDER_PAID', 'ORDER_SHIPPED', 'ORDER_DELIVERED', 'AFTER_SALES_DECIDED'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** What a message of a kind can say; each template key (`thing3`, `amount2`, …) is filled from one of these. */
export const MESSAGE_FIELDS = ['orderNo', 'amount', 'items', 'time', 'status', 'carrier', 'trackingNumber', 'decision', 'note'] as const;
export type MessageField = (typeof MESSAGE_FIELDS)[number];

/**
 * The data keys of the templates we suggest picking in the mini-program console (公共模板库); a template whose keys
 * differ is described with WECHAT_TEMPLATE_<KIND>_DATA (docs/messages.md, "Templates").
 */
export const DEFAULT_TEMPLATE_DATA: Record<MessageKind, Record<string, MessageField>> = {
  ORDER_PAID: { character_string1: 'orderNo', amount2: 'amount', thing3: 'items', time4: 'time' },
  ORDER_SHIPPED: { character_string1: 'orderNo', thing2: 'carrier', character_string3: 'trackingNumber', time4: 'time' },
  ORDER_DELIVERED: { character_string1: 'orderNo', thing2: 'items', time3: 'time', phrase4: 'status' },
  AFTER_SALES_DECIDED: { character_string1: 'orderNo', phrase2: 'decision', amount3: 'amount', time4: 'time' },
};

export interface MessageTemplateConfig {
  /** The template id of the mini-program console (WECHAT_TEMPLATE_<KIND>). */
  templateId: string;
  /** Template data key → the field it shows (WECHAT_TEMPLATE_<KIND>_DATA, JSON; default DEFAULT_TEMPLATE_DATA). */
  data: Record<string, MessageField>;
}

export interface MessagesConfig {
  /** Only the kinds with a template id are offered and sent. */
  templates: Partial<Record<MessageKind, MessageTemplateConfig>>;
  /** The mini-program page a message opens; `{orderId}` is replaced (WECHAT_MESSAGE_PAGE). */
  page: string;
  /** Which version of the mini-program a message opens: formal, trial or developer (WECHAT_MESSAGE_STATE). */
  miniprogramState: 'formal' | 'trial' | 'developer';
  /** Language of the message's "enter the mini-program" text (WECHAT_MESSAGE_LANG: zh_CN, en_US, zh_HK, zh_TW). */
  lang: string;
  /** Timeout of each call to WeChat's message API (WECHAT_MESSAGE_TIMEOUT_MS, default WECHAT_TIMEOUT_MS). */
  timeoutMs: number;
  /**
   * Finished messages (sent, dropped, uncertain) are deleted this long after they ended (MESSAGES_RETENTION_DAYS,
   * default 90). At least the processed-event retention: the row is what stops a redelivered event's second message.
   */
  retentionMs: number;
}

function messagesConfig(env: NodeJS.ProcessEnv, processedMs: number): MessagesConfig {
  const templates: MessagesConfig['templates'] = {};
  for (const kind of MESSAGE_KINDS) {
    const templateId = env[`WECHAT_TEMPLATE_${kind}`]?.trim();
    if (!templateId) continue;
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(templateId)) throw new Error(`WECHAT_TEMPLATE_${kind} is not a template id: "${templateId}"`);
    const raw = env[`WECHAT_TEMPLATE_${kind}_DATA`];
    let data: Record<string, MessageField> = DEFAULT_TEMPLATE_DATA[kind];
    if (raw) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new Error(`WECHAT_TEMPLATE_${kind}_DATA must be JSON such as {"thing1":"items"}`);
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !Object.keys(parsed).length) {
        throw new Error(`WECHAT_TEMPLATE_${kind}_DATA must be a JSON object of template key → field`);
      }
      for (const [key, field] of Object.entries(parsed)) {
        // WeChat's keys are <type><number>: the type decides the value's format and length (subgraphs/user/messages).
        if (!/^[a-z_]+[0-9]+$/.test(key)) throw new Error(`WECHAT_TEMPLATE_${kind}_DATA: "${key}" is not a template data key (e.g. thing3)`);
        if (!MESSAGE_FIELDS.includes(field as MessageField)) {
          throw new Error(`WECHAT_TEMPLATE_${kind}_DATA: "${key}" shows "${String(field)}", not one of ${MESSAGE_FIELDS.join(', ')}`);
        }
      }
      data = parsed as Record<string, MessageField>;
    }
    templates[kind] = { templateId, data };
  }
  const state = env.WECHAT_MESSAGE_STATE || 'formal';
  if (!['formal', 'trial', 'developer'].includes(state)) throw new Error(`WECHAT_MESSAGE_STATE must be formal, trial or developer, got "${state}"`);
  const lang = env.WECHAT_MESSAGE_LANG || 'zh_CN';
  if (!['zh_CN', 'en_US', 'zh_HK', 'zh_TW'].includes(lang)) throw new Error(`WECHAT_MESSAGE_LANG must be zh_CN, en_US, zh_HK or zh_TW, got "${lang}"`);
  return {
    templates,
    page: env.WECHAT_MESSAGE_PAGE || 'pages/order/detail?id={orderId}',
    miniprogramState: state as MessagesConfig['miniprogramState'],
    lang,
    timeoutMs: int(env, 'WECHAT_MESSAGE_TIMEOUT_MS', int(env, 'WECHAT_TIMEOUT_MS', 5000)),
    retentionMs: messageRetention(env, processedMs),
  };
}

function messageRetention(env: NodeJS.ProcessEnv, processedMs: number): number {
  const retentionMs = days(env, 'MESSAGES_RETENTION_DAYS', 90) * 24 * HOUR_MS;
  if (retentionMs < processedMs) {
    throw new Error(
      `MESSAGES_RETENTION_DAYS must be at least EVENTS_PROCESSED_RETENTION_HOURS (${Math.ceil(processedMs / HOUR_MS)} h here): ` +
        'a message row pruned while its event can still be redelivered could be sent again',
    );
  }
  return retentionMs;
}

export interface MetricsConfig {
  /**
   * The metrics listener's port (METRICS_PORT): undefined = the process's main port + 1000 (router 5000, user 5001,
   * the all-in-one process the router's); 0 = no listener. Path /metrics, no identity: keep it off the load balancer.
   */
  port: number | undefined;
  /**
   * Where the metrics listener binds (METRICS_HOST): 127.0.0.1 unless set, whatever HOST is — /metrics has no identity
   * and tells much about the shop (operation names, error rates), so reaching it from elsewhere is an explicit choice
   * (a container's scraper on the private network sets 0.0.0.0; docs/operations.md, "Metrics").
   */
  host: string;
  /**
   * Operation names counted under their own `operation` label besides the built-in list (METRICS_OPERATIONS,
   * comma-separated): a client's names, until persisted operations register them. Any other name counts as `unknown`.
   */
  operations: string[];
  /** Longest a scrape waits for a gauge read from PostgreSQL or Redis (METRICS_COLLECT_TIMEOUT_MS, default 1000). */
  collectTimeoutMs: number;
}

export interface HttpServerConfig {
  /** Time to receive a request's headers, from its first byte (HTTP_HEADERS_TIMEOUT_MS, default 10000). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, headers and body (HTTP_REQUEST_TIMEOUT_MS, default 30000). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (HTTP_KEEPALIVE_TIMEOUT_MS, default 5000). */
  keepAliveTimeoutMs: number;
  /** Requests served on one keep-alive connection before it is closed (HTTP_MAX_REQUESTS_PER_SOCKET, default 1000; 0: no bound). */
  maxRequestsPerSocket: number;
  /**
   * Open TCP connections (HTTP and WebSocket) per peer address (MAX_CONNECTIONS_PER_ADDRESS); past it a new one is
   * closed at once. Default 128, or 0 (off) when TRUST_PROXY_HOPS > 0: then the peers are our own proxies.
   */
  maxConnectionsPerAddress: number;
}

export interface SubscriptionsConfig {
  /** Subscriptions one connection may hold at once (SUBSCRIPTIONS_PER_CONNECTION). */
  perConnection: number;
  /** Subscriptions one user may hold at once, across router instances with Redis (SUBSCRIPTIONS_PER_USER). */
  perUser: number;
  /** Subscriptions one client address may hold at once, across router instances with Redis (SUBSCRIPTIONS_PER_ADDRESS). */
  perAddress: number;
  /**
   * How long a subscription's slot in Redis lives without its router renewing it (SUBSCRIPTION_SLOT_LEASE_MS, default
   * 30000): a crashed router's slots free themselves after this. Renewed every third of it.
   */
  slotLeaseMs: number;
  /** Each subscription reads its order again at least this often, changes or not (SUBSCRIPTION_REREAD_MS, default 60000; 0: off). */
  rereadMs: number;
  /** Ping interval; a socket that does not answer within the same time is dropped (SUBSCRIPTION_KEEPALIVE_MS; 0: off). */
  keepAliveMs: number;
  /** States waiting for a slow client per subscription; past it the oldest unsent is dropped, never the latest (SUBSCRIPTION_QUEUE_MAX). */
  queueMax: number;
}

/**
 * Payment configuration. A method is served by its real provider when its merchant keys are set (all of them: a
 * partial set is a start-up error), else by the local sandbox when `sandbox` is on, else it is unavailable.
 */
export interface PaymentConfig {
  /**
   * PAYMENT_SANDBOX (platform/modes.ts): the local sandbox providers and their cashier (/notify/sandbox/...) serve
   * the methods without keys. Never in production; by default only on a loopback HOST; off it only with `true`.
   */
  sandbox: boolean;
  /** Enabled methods in display order (PAYMENT_METHODS, default WECHAT,ALIPAY,BALANCE,FAMILY_BALANCE). */
  methods: string[];
  /** Public origin providers and clients reach (PAYMENT_PUBLIC_URL, default http://127.0.0.1:<router port>). */
  publicUrl: string;
  /** Notifications whose Wechatpay-Timestamp is further than this from now are refused (seconds). */
  notifyMaxSkewSeconds: number;
  /** An open payment this old (PAYMENT_RECONCILE_AFTER_SECONDS, default 300) is queried at its provider. */
  reconcileAfterSeconds: number;
  /** The longest wait between two queries of one open trade (PAYMENT_RECONCILE_MAX_INTERVAL_SECONDS, default 3600). */
  reconcileMaxIntervalSeconds: number;
  /** WeChat Pay v3 merchant (all of mchId, serial, private key, APIv3 key, platform key + serial; else sandbox). */
  wechat: {
    appId?: string;
    mchId?: string;
    merchantSerial?: string;
    merchantPrivateKey?: string;
    apiV3Key?: string;
    platformPublicKey?: string;
    platformSerial?: string;
    apiBase: string;
  };
  /** Alipay open platform app (app id, app private key, Alipay public key; else sandbox). */
  alipay: { appId?: string; privateKey?: string; alipayPublicKey?: string; gateway: string };
}

/** A PEM given inline (with \n escapes allowed) or as a path to a file. */
function pem(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  if (raw.includes('-----BEGIN')) return raw.replace(/\\n/g, '\n');
  return fs.readFileSync(raw, 'utf8');
}

export interface OrderConfig {
  /** An unpaid order is cancelled this long after it was placed (ORDER_PAYMENT_TIMEOUT_SECONDS, default 1800). */
  paymentTimeoutSeconds: number;
  /** A checkout saga not finished after this long is compensated by the recovery job (ORDER_SAGA_TIMEOUT_SECONDS, default 60). */
  sagaTimeoutSeconds: number;
  /** A SHIPPED order confirms its receipt itself this long after shipping (ORDER_AUTO_CONFIRM_DAYS, default 10). */
  autoConfirmDays: number;
  /** After-sales (returns and refunds) stay open this long after receipt (AFTER_SALES_WINDOW_DAYS, default 7). */
  afterSalesWindowDays: number;
  /** A staff refund order registered but payment never recorded is settled as FAILED after this long (ORDER_REFUND_WATCH_SECONDS, default 600). */
  refundWatchSeconds: number;
  /** Orders one shopper may have being placed or waiting for payment at once (MAX_UNPAID_ORDERS_PER_SHOPPER, default 5). */
  maxUnpaidOrdersPerShopper: number;
  /** Units of one SKU one shopper may hold across those orders (MAX_UNPAID_UNITS_PER_SKU, default 20). */
  maxUnpaidUnitsPerSku: number;
  /** Test-only fault injection (ORDER_SAGA_CRASH_AFTER, honoured only when NODE_ENV=test): exit after this saga step. */
  sagaCrashAfter: 'created' | 'reserve' | 'coupon' | null;
  /** Test-only fault injection (ORDER_SUBSCRIPTION_CRASH_AFTER_PACKAGES, NODE_ENV=test only): exit after creating this many packages. */
  subscriptionCrashAfterPackages: number | null;
  /** How often the subscription scheduler prepares due packages (SUBSCRIPTION_SCHEDULER_INTERVAL_SECONDS, default 300). */
  subscriptionSchedulerIntervalMs: number;
  /** Packages due within this many days (China time) are prepared: stock taken, TO_SHIP (SUBSCRIPTION_PACKAGE_LEAD_DAYS, default 1). */
  subscriptionLeadDays: number;
}

/** Holds as leases (docs/orders.md, "Holds"): order sets them, product and promote enforce them. */
export interface HoldsConfig {
  /**
   * Order: a placed order's holds last until its payment deadline plus this, so a payment accepted just before the
   * deadline is committed before they lapse (HOLD_GRACE_SECONDS, default 600).
   */
  graceSeconds: number;
  /**
   * Product / promote: a hold not confirmed by its placed order within this long of landing is given back; a confirm
   * arriving later is refused (HOLD_CONFIRM_WINDOW_SECONDS, default 40). Plus one sweep interval, the longest a
   * late hold can outlive its order when order cannot be asked.
   */
  confirmWindowSeconds: number;
  /** Product / promote: how often the hold sweep runs (HOLD_SWEEP_INTERVAL_MS, default 10000). */
  sweepIntervalMs: number;
  /** Product / promote: a confirmed hold's order is asked about again after this long (HOLD_RECHECK_SECONDS, default 300). */
  recheckSeconds: number;
  /**
   * Product / promote: release markers (the fence a release leaves for an order it never saw) are deleted this long
   * after they were written (HOLD_MARKER_RETENTION_HOURS, default 168). A marker only has to outlive the reserve or
   * lock calls that could still land for its order: the saga's at most ORDER_SAGA_TIMEOUT_SECONDS plus a call's
   * timeout and retries, minutes at most; at least 1 hour is required.
   */
  markerRetentionMs: number;
  /** Product / promote: how often the marker pruning runs (HOLD_MARKER_PRUNE_INTERVAL_SECONDS, default 3600). */
  markerPruneIntervalMs: number;
}

function holdsConfig(env: NodeJS.ProcessEnv): HoldsConfig {
  const holds: HoldsConfig = {
    graceSeconds: int(env, 'HOLD_GRACE_SECONDS', 600),
    confirmWindowSeconds: int(env, 'HOLD_CONFIRM_WINDOW_SECONDS', 40),
    sweepIntervalMs: int(env, 'HOLD_SWEEP_INTERVAL_MS', 10_000),
    recheckSeconds: int(env, 'HOLD_RECHECK_SECONDS', 300),
    markerRetentionMs: int(env, 'HOLD_MARKER_RETENTION_HOURS', 168) * 3_600_000,
    markerPruneIntervalMs: int(env, 'HOLD_MARKER_PRUNE_INTERVAL_SECONDS', 3600) * 1000,
  };
  if (holds.markerRetentionMs < 3_600_000) throw new Error('HOLD_MARKER_RETENTION_HOURS must be at least 1');
  if (holds.markerPruneIntervalMs < 1000) throw new Error('HOLD_MARKER_PRUNE_INTERVAL_SECONDS must be at least 1');
  if (holds.graceSeconds < 0) throw new Error('HOLD_GRACE_SECONDS must be 0 or more');
  if (holds.confirmWindowSeconds < 1) throw new Error('HOLD_CONFIRM_WINDOW_SECONDS must be at least 1');
  if (holds.sweepIntervalMs < 100) throw new Error('HOLD_SWEEP_INTERVAL_MS must be at least 100');
  if (holds.recheckSeconds < 0) throw new Error('HOLD_RECHECK_SECONDS must be 0 or more');
  return holds;
}

export interface RedPacketConfig {
  /** What a shopper's own red packet holds in all, in fen (RED_PACKET_AMOUNT_FEN, default 1000). */
  amountFen: number;
  /** Into how many shares a shopper's red packet is split (RED_PACKET_SHARES, default 5). */
  shares: number;
  /** Red packets a shopper may create per day, Beijing time (RED_PACKET_CREATED_PER_DAY, default 3). */
  createdPerDay: number;
  /** Red packets a shopper may open per day, Beijing time (RED_PACKET_OPENED_PER_DAY, default 10). */
  openedPerDay: number;
  /** How long after its creation a red packet can be opened (RED_PACKET_TTL_HOURS, default 24). */
  ttlHours: number;
  /** How long the coupon of an opened share is valid (RED_PACKET_COUPON_VALID_DAYS, default 7). */
  couponValidDays: number;
}

export interface InviteConfig {
  /** Accepted invitations per inviter per Beijing day that count (ranking, reward); more are recorded only (INVITES_COUNTED_PER_DAY, default 20). */
  countedPerDay: number;
  /** Counted invitations that earn the inviter's cash coupon, once (INVITE_REWARD_AFTER, default 10). */
  rewardAfter: number;
  /** The inviter's cash coupon, in fen (INVITE_REWARD_AMOUNT_FEN, default 500). */
  rewardAmountFen: number;
  /** Coupon template the invitee's new-user coupon is issued from (INVITE_NEW_USER_TEMPLATE_ID; unset: none is issued). */
  newUserTemplateId: string | null;
  /** Validity of both invitation coupons (INVITE_COUPON_VALID_DAYS, default 30). */
  couponValidDays: number;
}

function inviteConfig(env: NodeJS.ProcessEnv): InviteConfig {
  const template = env.INVITE_NEW_USER_TEMPLATE_ID?.trim() || null;
  const config: InviteConfig = {
    countedPerDay: int(env, 'INVITES_COUNTED_PER_DAY', 20),
    rewardAfter: int(env, 'INVITE_REWARD_AFTER', 10),
    rewardAmountFen: int(env, 'INVITE_REWARD_AMOUNT_FEN', 500),
    newUserTemplateId: template,
    couponValidDays: int(env, 'INVITE_COUPON_VALID_DAYS', 30),
  };
  if (template && !/^[1-9][0-9]{0,17}$/.test(template)) throw new Error('INVITE_NEW_USER_TEMPLATE_ID must be a coupon template id');
  if (config.countedPerDay < 0) throw new Error('INVITES_COUNTED_PER_DAY must be 0 or more');
  if (config.rewardAfter < 1) throw new Error('INVITE_REWARD_AFTER must be at least 1');
  if (config.rewardAmountFen < 1) throw new Error('INVITE_REWARD_AMOUNT_FEN must be at least 1');
  if (config.couponValidDays < 1) throw new Error('INVITE_COUPON_VALID_DAYS must be at least 1');
  return config;
}

export interface MiniProgramCodeConfig {
  /** Mini-program page each code kind opens (WECHAT_CODE_PAGE_INVITE, WECHAT_CODE_PAGE_SUBSCRIPTION). */
  pages: { INVITE: string; SUBSCRIPTION_WARES: string };
  /** Which version of the mini-program codes open: release / trial / develop (WECHAT_CODE_ENV_VERSION, default release). */
  envVersion: 'release' | 'trial' | 'develop';
  /** Image width in pixels, 280-1280 (WECHAT_CODE_WIDTH, default 430). */
  width: number;
  /** How long a code image is kept and answered again (WECHAT_CODE_CACHE_DAYS, default 30). */
  cacheTtlMs: number;
  /** Codes one shopper may have made (cache misses) per window (WECHAT_CODE_MAX_PER_USER per WECHAT_CODE_WINDOW_SECONDS; default 20 per hour). */
  perUser: ThrottleRule;
  /** Timeout of one call to WeChat (WECHAT_CODE_TIMEOUT_MS, default WECHAT_TIMEOUT_MS). */
  timeoutMs: number;
}

const PAGE_PATH = /^[a-z0-9_\-]+(\/[a-zA-Z0-9_\-]+)*$/;

function miniProgramCodeConfig(env: NodeJS.ProcessEnv): MiniProgramCodeConfig {
  const envVersion = env.WECHAT_CODE_ENV_VERSION || 'release';
  if (!['release', 'trial', 'develop'].includes(envVersion)) throw new Error('WECHAT_CODE_ENV_VERSION must be release, trial or develop');
  const config: MiniProgramCodeConfig = {
    pages: { INVITE: env.WECHAT_CODE_PAGE_INVITE || 'pages/invite/index', SUBSCRIPTION_WARES: env.WECHAT_CODE_PAGE_SUBSCRIPTION || 'pages/subscribe/wares' },
    envVersion: envVersion as MiniProgramCodeConfig['envVersion'],
    width: int(env, 'WECHAT_CODE_WIDTH', 430),
    cacheTtlMs: int(env, 'WECHAT_CODE_CACHE_DAYS', 30) * 86_400_000,
    perUser: { limit: int(env, 'WECHAT_CODE_MAX_PER_USER', 20), windowSeconds: int(env, 'WECHAT_CODE_WINDOW_SECONDS', 3600) },
    timeoutMs: int(env, 'WECHAT_CODE_TIMEOUT_MS', int(env, 'WECHAT_TIMEOUT_MS', 5000)),
  };
  // WeChat's page paths have no leading slash and no query (the scene carries the parameters).
  for (const page of Object.values(config.pages)) if (!PAGE_PATH.test(page)) throw new Error(`Mini-program page "${page}" must be a path like pages/invite/index`);
  if (config.width < 280 || config.width > 1280) throw new Error('WECHAT_CODE_WIDTH must be 280-1280');
  if (config.cacheTtlMs < 86_400_000) throw new Error('WECHAT_CODE_CACHE_DAYS must be at least 1');
  return config;
}

export interface FamilyCouponConfig {
  /** Free-shipping coupons a member family gets per 30-day slot of its membership (FAMILY_FREE_SHIPPING_PER_MONTH, default 4, 0 = none). */
  freeShippingPerMonth: number;
}

function familyCouponConfig(env: NodeJS.ProcessEnv): FamilyCouponConfig {
  const config = { freeShippingPerMonth: int(env, 'FAMILY_FREE_SHIPPING_PER_MONTH', 4) };
  if (config.freeShippingPerMonth < 0 || config.freeShippingPerMonth > 31) throw new Error('FAMILY_FREE_SHIPPING_PER_MONTH must be 0-31');
  return config;
}

/** Bounds keep a packet's split cheap and each share at least 1 fen. */
export const MAX_RED_PACKET_SHARES = 100;

function redPacketConfig(env: NodeJS.ProcessEnv): RedPacketConfig {
  const config: RedPacketConfig = {
    amountFen: int(env, 'RED_PACKET_AMOUNT_FEN', 1000),
    shares: int(env, 'RED_PACKET_SHARES', 5),
    createdPerDay: int(env, 'RED_PACKET_CREATED_PER_DAY', 3),
    openedPerDay: int(env, 'RED_PACKET_OPENED_PER_DAY', 10),
    ttlHours: int(env, 'RED_PACKET_TTL_HOURS', 24),
    couponValidDays: int(env, 'RED_PACKET_COUPON_VALID_DAYS', 7),
  };
  if (config.shares < 1 || config.shares > MAX_RED_PACKET_SHARES) throw new Error(`RED_PACKET_SHARES must be 1 to ${MAX_RED_PACKET_SHARES}`);
  if (config.amountFen < config.shares) throw new Error('RED_PACKET_AMOUNT_FEN must be at least RED_PACKET_SHARES (1 fen a share)');
  if (config.createdPerDay < 0 || config.openedPerDay < 0) throw new Error('RED_PACKET_*_PER_DAY must be 0 or more');
  if (config.ttlHours < 1) throw new Error('RED_PACKET_TTL_HOURS must be at least 1');
  if (config.couponValidDays < 1) throw new Error('RED_PACKET_COUPON_VALID_DAYS must be at least 1');
  return config;
}

export interface PassportConfig {
  /** How long a login's WeChat session key is kept for decrypting data (WECHAT_SESSION_KEY_TTL_SECONDS, default 86400). */
  wechatSessionKeyTtlSeconds: number;
  /** How long an SMS code works (SMS_CODE_TTL_SECONDS, default 300). */
  smsCodeTtlSeconds: number;
  /** Wrong guesses one code survives (SMS_CODE_MAX_ATTEMPTS, default 5); then it is dead. */
  smsCodeMaxAttempts: number;
  /** At most one code per phone and purpose per this many seconds (SMS_SEND_COOLDOWN_SECONDS, default 60). */
  smsSendCooldownSeconds: number;
  /** Codes per phone (SMS_SEND_MAX_PER_PHONE, default 5 per SMS_SEND_PHONE_WINDOW_SECONDS, 3600). */
  smsSendPerPhone: ThrottleRule;
  /** Codes per client address (SMS_SEND_MAX_PER_IP, default 20 per SMS_SEND_IP_WINDOW_SECONDS, 3600). */
  smsSendPerIp: ThrottleRule;
}

export interface SmsConfig {
  /** SMS_DEV_LOG: without a provider, log codes instead of sending them (development only, platform/modes.ts). */
  devLog: boolean;
  /** Tencent Cloud SMS (API 3.0 SendSms, TC3-HMAC-SHA256), when every TENCENT_SMS_* key is set. */
  tencent?: {
    secretId: string;
    secretKey: string;
    sdkAppId: string;
    signName: string;
    /** Template with {1} = the code and {2} = minutes it is valid. */
    templateId: string;
    region: string;
    /** TENCENT_SMS_ENDPOINT, default https://sms.tencentcloudapi.com (a test's fake in tests). */
    endpoint: string;
    timeoutMs: number;
  };
}

/** Families and membership (docs/families.md). */
export interface FamilyConfig {
  /** MEMBER_TRIAL_DAYS: length of the free trial. */
  trialDays: number;
  /** MEMBER_CODE_MAX_FAILURES_PER_USER per MEMBER_CODE_WINDOW_SECONDS: wrong activation codes one shopper may try. */
  codeFailuresPerUser: ThrottleRule;
  /** MEMBER_CODE_MAX_FAILURES_PER_IP per MEMBER_CODE_WINDOW_SECONDS: wrong activation codes from one client address. */
  codeFailuresPerIp: ThrottleRule;
  /** MEMBER_ACCESS_RISK_RETENTION_DAYS: activation attempts (access_risks) are kept this long. */
  accessRiskRetentionDays: number;
}

/** At most `limit` events per `windowSeconds`. */
export interface ThrottleRule {
  limit: number;
  windowSeconds: number;
}

/** Each limit refuses an operation that exceeds it with BAD_USER_INPUT and `extensions.limit` (docs/limits.md). */
export interface OperationLimits {
  /** MAX_QUERY_DEPTH: nesting of selections. */
  maxDepth: number;
  /** MAX_QUERY_ALIASES: aliased fields per operation. */
  maxAliases: number;
  /** MAX_ROOT_FIELDS: top-level fields per operation (aliases included). */
  maxRootFields: number;
  /** MAX_QUERY_TOKENS: lexical tokens of the document, enforced while parsing. */
  maxTokens: number;
  /** MAX_QUERY_DIRECTIVES: directives per operation. */
  maxDirectives: number;
  /** MAX_QUERY_COST: objects the operation may return, estimated with list sizes. */
  maxCost: number;
  /** QUERY_COST_DEFAULT_LIST_SIZE: the size assumed for a list without `first`. */
  defaultListSize: number;
  /** MAX_QUERY_FIELDS: fields written in the document (fragments included), checked once per document after parsing. */
  maxFields: number;
}

export interface CatalogCacheConfig {
  /** CATALOG_CACHE (default true). Off: every read goes to PostgreSQL. */
  enabled: boolean;
  /**
   * CATALOG_STOCK_MAX_AGE_MS (default 2000): the oldest stock a public read may show. SKU rows (they carry the stock)
   * are cached at most this long; every other entry lives until the next catalog write (or CATALOG_CACHE_TTL_MS).
   */
  stockMaxAgeMs: number;
  /** CATALOG_CACHE_TTL_MS (default 600000): the longest any entry lives, a backstop should an invalidation be lost. */
  ttlMs: number;
  /** CATALOG_CACHE_MAX_ENTRIES (default 50000): entries kept in each process (least recently used go first). */
  maxEntries: number;
  /**
   * CATALOG_RESPONSE_MAX_AGE_SECONDS (default 1): how long the router may keep a public catalog answer
   * (`Cache-Control: public, max-age=…` on product's answers to shoppers; 0: never). Adds to the stock lag.
   */
  responseMaxAgeSeconds: number;
}

export interface RouterResponseCacheConfig {
  /** ROUTER_RESPONSE_CACHE (default true): keep answers every subgraph declared public (router/response-cache.ts). */
  enabled: boolean;
  /** ROUTER_RESPONSE_CACHE_MAX_MB (default 32): memory the kept answers may take in each router process. */
  maxBytes: number;
}

export interface EventsConfig {
  /** Redis key prefix of streams and channels (EVENTS_NAMESPACE; default none): one per deployment sharing a Redis. */
  namespace?: string;
  /** Outbox relay poll interval when idle (EVENTS_POLL_INTERVAL_MS). */
  pollIntervalMs: number;
  /** Takeover delay when the relaying instance dies (EVENTS_RELAY_LEASE_MS). */
  relayLeaseMs: number;
  /** Redis: a pending entry idle this long is reclaimed by another consumer; also the retry delay (EVENTS_CLAIM_IDLE_MS). */
  claimIdleMs: number;
  /** Redis: approximate maximum entries kept per stream (EVENTS_STREAM_MAXLEN). */
  streamMaxLen: number;
  /** Job runner poll interval (EVENTS_JOB_POLL_INTERVAL_MS). */
  jobPollIntervalMs: number;
  /** How long a claimed job is reserved before another instance may run it (EVENTS_JOB_LEASE_MS). */
  jobLeaseMs: number;
  /** Jobs one runner (one subgraph instance) runs at once (JOB_CONCURRENCY, default 4). */
  jobConcurrency: number;
  /** Failed runs after which a job is dead-lettered (JOB_MAX_ATTEMPTS, default 300: about a day of 5-minute retries). */
  jobMaxAttempts: number;
  /**
   * Deliveries of an event whose consumer keeps failing before it is dead-lettered in that consumer's `dead_events`
   * (EVENTS_MAX_DELIVERIES, default 300: with Redis about a day of retries backing off to 5 minutes, like jobs).
   */
  maxDeliveries: number;
  /** Retention, pruned by each subgraph's periodic `events.prune` job (docs/events.md). */
  retention: EventsRetentionConfig;
}

/** How long finished event rows are kept. Each is checked at start-up against what once-only delivery needs. */
export interface EventsRetentionConfig {
  /** Published outbox rows (EVENTS_OUTBOX_RETENTION_HOURS, default 168). Unpublished rows are never pruned. */
  outboxMs: number;
  /** Redis stream entries, trimmed by age (EVENTS_STREAM_RETENTION_HOURS, default 168). */
  streamMs: number;
  /** Processed event ids (EVENTS_PROCESSED_RETENTION_HOURS, default 720); must outlive the streams' entries. */
  processedMs: number;
  /** Done and cancelled jobs (JOB_RETENTION_HOURS, default 720). */
  jobsMs: number;
  /** Dead-lettered jobs and events (JOB_DEAD_RETENTION_HOURS, default 2160): time for an operator to look and requeue. */
  deadJobsMs: number;
  /** How often the prune job runs per subgraph (EVENTS_PRUNE_INTERVAL_SECONDS, default 3600). */
  pruneIntervalMs: number;
}

const HOUR_MS = 3600_000;

function logConfig(env: NodeJS.ProcessEnv, nodeEnv: Config['env']): LogOptions {
  const level = (env.LOG_LEVEL || (nodeEnv === 'test' ? 'warn' : 'info')).toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${level}")`);
  const format = (env.LOG_FORMAT || (nodeEnv === 'production' ? 'json' : 'pretty')).toLowerCase();
  if (format !== 'json' && format !== 'pretty') throw new Error(`LOG_FORMAT must be json or pretty (got "${format}")`);
  // pino-pretty is a devDependency: absent from a production install, and one JSON object per line is what log stores read.
  if (format === 'pretty' && nodeEnv === 'production') throw new Error('LOG_FORMAT=pretty is for development; production logs are JSON lines');
  return { level: level as LogOptions['level'], pretty: format === 'pretty' };
}

/** `key=value,key2=value2` (values URL-encoded), as the OpenTelemetry specification has OTEL_EXPORTER_OTLP_HEADERS. */
function otlpHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    headers[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return headers;
}

function tracingConfig(env: NodeJS.ProcessEnv, nodeEnv: Config['env'], rootDir: string): TracingConfig {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || undefined;
  if (endpoint && !/^https?:\/\//i.test(endpoint)) throw new Error(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL (got "${endpoint}")`);
  const ratio = env.OTEL_TRACES_SAMPLER_ARG ? Number(env.OTEL_TRACES_SAMPLER_ARG) : 1;
  if (!(ratio >= 0 && ratio <= 1)) throw new Error(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (got "${env.OTEL_TRACES_SAMPLER_ARG}")`);
  let version = 'unknown';
  try {
    version = (JSON.parse(fs.readFileSync(path.join(rootDir, 'package.json'), 'utf8')) as { version?: string }).version ?? version;
  } catch {
    // A trimmed image without package.json: spans say `unknown`.
  }
  return {
    endpoint,
    headers: otlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
    sampleRatio: ratio,
    environment: nodeEnv,
    version,
    exportDelayMs: positive(env, 'OTEL_BSP_SCHEDULE_DELAY', 5000),
  };
}

/**
 * A processed event id may be pruned only when no redelivery of that event can come any more: a stream entry lives at
 * most the stream retention plus one prune interval (the trim runs with the prune job), so ids must be kept longer
 * than that, with a day of margin for a prune job that was late.
 */
function checkRetention(retention: EventsRetentionConfig): EventsRetentionConfig {
  const needed = retention.streamMs + retention.pruneIntervalMs + 24 * HOUR_MS;
  if (retention.processedMs < needed) {
    throw new Error(
      `EVENTS_PROCESSED_RETENTION_HOURS must be at least EVENTS_STREAM_RETENTION_HOURS + the prune interval + 24 h ` +
        `(${Math.ceil(needed / HOUR_MS)} h here): a processed id pruned while its stream entry can still be redelivered would apply an event twice`,
    );
  }
  for (const [name, value] of Object.entries(retention)) {
    if (!(value > 0)) throw new Error(`event retention ${name} must be positive`);
  }
  return retention;
}

function nonNegative(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = int(env, name, fallback);
  if (value < 0) throw new Error(`${name} must be 0 or more, got ${value}`);
  return value;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return value;
}

/** A TCP port (0 allowed: what it means is the caller's). */
function port(env: NodeJS.ProcessEnv, name: string): number {
  const value = int(env, name, 0);
  if (value < 0 || value > 65535) throw new Error(`${name} must be a port (0-65535), got "${env[name]}"`);
  return value;
}

/** A positive number of days; fractions allowed (0.5 = 12 hours), so short periods can be tried out. */
function days(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number of days, got "${raw}"`);
  return value;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = int(env, name, fallback);
  if (value < 1) throw new Error(`${name} must be at least 1, got ${value}`);
  return value;
}

function safelistConfig(env: NodeJS.ProcessEnv, isProduction: boolean): SafelistConfig {
  const mode = (env.SAFELIST_DEFAULT_MODE || (isProduction ? 'audit' : 'off')).toLowerCase();
  if (mode !== 'off' && mode !== 'audit' && mode !== 'enforce') throw new Error(`SAFELIST_DEFAULT_MODE must be off, audit or enforce, got ${mode}`);
  return {
    defaultMode: mode,
    trafficFlushMs: positive(env, 'SAFELIST_TRAFFIC_FLUSH_MS', 60_000),
    getMaxAgeSeconds: nonNegative(env, 'PERSISTED_GET_MAX_AGE_SECONDS', 10),
  };
}

function openConfig(env: NodeJS.ProcessEnv, isProduction: boolean): OpenConfig {
  const raw = env.OPEN_SECRET_KEY;
  let secretKey: Buffer | null = null;
  if (raw) {
    secretKey = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64url');
    if (secretKey.length !== 32) throw new Error('OPEN_SECRET_KEY must be 32 bytes: 64 hex digits or 43 base64url characters');
  } else if (!isProduction) {
    // Development and tests: stable across restarts, never accepted in production (null there: checked at start-up).
    secretKey = crypto.createHash('sha256').update(`shop/open/secret-key/${env.INTERNAL_SECRET || DEV_INTERNAL_SECRET}`).digest();
  }
  const timestampSkewSeconds = positive(env, 'OPEN_TIMESTAMP_SKEW_SECONDS', 300);
  const nonceTtlSeconds = positive(env, 'OPEN_NONCE_TTL_SECONDS', 600);
  // A nonce must be remembered for as long as a timestamp signed with it can be accepted (±skew).
  if (nonceTtlSeconds < 2 * timestampSkewSeconds) throw new Error('OPEN_NONCE_TTL_SECONDS must be at least twice OPEN_TIMESTAMP_SKEW_SECONDS');
  return {
    secretKey,
    registryPollMs: positive(env, 'OPEN_REGISTRY_POLL_MS', 500),
    timestampSkewSeconds,
    nonceTtlSeconds,
    routerInstances: positive(env, 'OPEN_ROUTER_INSTANCES', 2),
    maxBodyBytes: positive(env, 'OPEN_MAX_BODY_BYTES', 65_536),
    // Never outside tests: a switch that moves a production clock must not exist.
    clockOffsetMs: env.NODE_ENV === 'test' && /^\d{13}$/.test(env.OPEN_TEST_CLOCK_START_MS ?? '') ? Number(env.OPEN_TEST_CLOCK_START_MS) - Date.now() : 0,
    redisTimeoutMs: positive(env, 'OPEN_REDIS_TIMEOUT_MS', 250),
    breakerFailures: positive(env, 'OPEN_BREAKER_FAILURES', 5),
    breakerHalfOpenMs: positive(env, 'OPEN_BREAKER_HALF_OPEN_MS', 10_000),
    alertThresholdMs: positive(env, 'OPEN_ALERT_THRESHOLD_MS', 1000),
    logRequestMaxChars: positive(env, 'OPEN_LOG_REQUEST_MAX_CHARS', 4096),
  };
}

function openLogsConfig(env: NodeJS.ProcessEnv): OpenLogsConfig {
  const emailTo = (env.OPEN_ALERT_EMAIL_TO ?? '').split(',').map((to) => to.trim()).filter(Boolean);
  const smtpUrl = env.OPEN_ALERT_SMTP_URL || null;
  if (smtpUrl && !emailTo.length) throw new Error('OPEN_ALERT_SMTP_URL needs OPEN_ALERT_EMAIL_TO (who receives the alerts)');
  const webhookUrl = env.OPEN_ALERT_WEBHOOK_URL || null;
  if (webhookUrl && !/^https?:\/\//.test(webhookUrl)) throw new Error('OPEN_ALERT_WEBHOOK_URL must be an http(s) URL');
  return {
    retentionDays: positive(env, 'OPEN_CALL_LOG_RETENTION_DAYS', 30),
    monitorIntervalMs: positive(env, 'OPEN_MONITOR_INTERVAL_MS', 60_000),
    monitorWindowMs: positive(env, 'OPEN_MONITOR_WINDOW_MS', 300_000),
    smtpUrl,
    emailFrom: env.OPEN_ALERT_EMAIL_FROM || 'shop-monitor@localhost',
    emailTo,
    webhookUrl,
  };
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(raw.toLowerCase());
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const isProduction = nodeEnv === 'production';
  const rootDir = projectDir;

  if (isProduction) {
    // INTERNAL_SECRET is not needed: production signs with per-service keys (SERVICE_KEY_<NAME>), checked per process
    // at start-up (requireServiceKeys), since a migration or the router needs other keys than a subgraph.
    if (!env.JWT_SECRET) throw new Error('NODE_ENV=production requires JWT_SECRET to be set');
    if (env.JWT_SECRET === DEV_JWT_SECRET || env.INTERNAL_SECRET === DEV_INTERNAL_SECRET) {
      throw new Error('NODE_ENV=production refuses the development secrets');
    }
  }
  const host = env.HOST || '127.0.0.1';
  // A provider half configured must not fall back to anything: refuse to start, naming the gap (platform/modes.ts).
  assertCompleteKeySets(env, KEY_SETS);
  const paymentSandbox = developmentMode(env, 'PAYMENT_SANDBOX', { isProduction, host });
  const wechatDevLogin = developmentMode(env, 'WECHAT_DEV_LOGIN', { isProduction, host });
  const smsDevLog = developmentMode(env, 'SMS_DEV_LOG', { isProduction, host });
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

  const shipping = {
    feeFen: int(env, 'SHIPPING_FEE_FEN', 1000),
    freeThresholdFen: int(env, 'FREE_SHIPPING_THRESHOLD_FEN', 9900),
  };
  const money: MoneyLimits = {
    maxUnitPriceFen: int(env, 'MAX_UNIT_PRICE_FEN', DEFAULT_MONEY_LIMITS.maxUnitPriceFen),
    maxOrderTotalFen: int(env, 'MAX_ORDER_TOTAL_FEN', DEFAULT_MONEY_LIMITS.maxOrderTotalFen),
  };
  assertMoneyLimits(money, shipping.feeFen);
  const refreshWindow = int(env, 'REFRESH_WINDOW_SECONDS', 60);

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
    serviceKeys: serviceKeysFromEnv(env, { base: env.INTERNAL_SECRET || DEV_INTERNAL_SECRET, production: isProduction }),
    accessTokenTtlSeconds: int(env, 'ACCESS_TOKEN_TTL_SECONDS', 15 * 60),
    accessTokenClockSkewSeconds: int(env, 'ACCESS_TOKEN_CLOCK_SKEW_SECONDS', 30),
    sessionRevocationPollMs: int(env, 'SESSION_REVOCATION_POLL_MS', 1000),
    refreshTokenTtlSeconds: int(env, 'REFRESH_TOKEN_TTL_SECONDS', 30 * 24 * 3600),
    identityMaxAgeSeconds: int(env, 'IDENTITY_MAX_AGE_SECONDS', 60),
    host,
    trustProxyHops: int(env, 'TRUST_PROXY_HOPS', 0),
    ports,
    metrics: {
      port: env.METRICS_PORT === undefined || env.METRICS_PORT === '' ? undefined : port(env, 'METRICS_PORT'),
      host: env.METRICS_HOST || '127.0.0.1',
      operations: (env.METRICS_OPERATIONS ?? '').split(',').map((name) => name.trim()).filter(Boolean),
      collectTimeoutMs: int(env, 'METRICS_COLLECT_TIMEOUT_MS', 1000),
    },
    subgraphUrls,
    // The default is the copy next to the code (dist/schema/ when compiled); a path from the environment is the project's.
    supergraphPath: env.SUPERGRAPH_PATH ? path.resolve(rootDir, env.SUPERGRAPH_PATH) : path.join(codeDir, 'schema', 'supergraph.graphql'),
    subgraphTimeoutMs: int(env, 'SUBGRAPH_TIMEOUT_MS', 10_000),
    subgraphTimeouts,
    subgraphMaxSockets: int(env, 'SUBGRAPH_MAX_SOCKETS', 64),
    routerDedup: bool(env, 'ROUTER_DEDUP', true),
    routerPassThrough: bool(env, 'ROUTER_PASS_THROUGH', true),
    apolloTelemetry: !bool(env, 'APOLLO_TELEMETRY_DISABLED', true),
    log: logConfig(env, nodeEnv),
    tracing: tracingConfig(env, nodeEnv, rootDir),
    catalogCache: {
      enabled: bool(env, 'CATALOG_CACHE', true),
      stockMaxAgeMs: int(env, 'CATALOG_STOCK_MAX_AGE_MS', 2000),
      ttlMs: int(env, 'CATALOG_CACHE_TTL_MS', 600_000),
      maxEntries: int(env, 'CATALOG_CACHE_MAX_ENTRIES', 50_000),
      responseMaxAgeSeconds: int(env, 'CATALOG_RESPONSE_MAX_AGE_SECONDS', 1),
    },
    safelist: safelistConfig(env, isProduction),
    routerResponseCache: {
      enabled: bool(env, 'ROUTER_RESPONSE_CACHE', true),
      maxBytes: int(env, 'ROUTER_RESPONSE_CACHE_MAX_MB', 32) * 1024 * 1024,
    },
    explorerEnabled: bool(env, 'EXPLORER', !isProduction),
    adminPassword: env.ADMIN_PASSWORD || DEV_ADMIN_PASSWORD,
    adminPasswordSet: Boolean(env.ADMIN_PASSWORD),
    publicReason: publicReason(env, host),
    wechat: {
      appId: env.WECHAT_APPID || undefined,
      secret: env.WECHAT_SECRET || undefined,
      apiBase: env.WECHAT_API_BASE || 'https://api.weixin.qq.com',
      timeoutMs: int(env, 'WECHAT_TIMEOUT_MS', 5000),
      devLogin: wechatDevLogin,
    },
    redPackets: redPacketConfig(env),
    invites: inviteConfig(env),
    familyCoupons: familyCouponConfig(env),
    miniProgramCodes: miniProgramCodeConfig(env),
    passport: {
      wechatSessionKeyTtlSeconds: positive(env, 'WECHAT_SESSION_KEY_TTL_SECONDS', 24 * 3600),
      smsCodeTtlSeconds: positive(env, 'SMS_CODE_TTL_SECONDS', 300),
      smsCodeMaxAttempts: positive(env, 'SMS_CODE_MAX_ATTEMPTS', 5),
      smsSendCooldownSeconds: positive(env, 'SMS_SEND_COOLDOWN_SECONDS', 60),
      smsSendPerPhone: { limit: int(env, 'SMS_SEND_MAX_PER_PHONE', 5), windowSeconds: positive(env, 'SMS_SEND_PHONE_WINDOW_SECONDS', 3600) },
      smsSendPerIp: { limit: int(env, 'SMS_SEND_MAX_PER_IP', 20), windowSeconds: positive(env, 'SMS_SEND_IP_WINDOW_SECONDS', 3600) },
    },
    sms: {
      devLog: smsDevLog,
      tencent: env.TENCENT_SMS_SECRET_ID
        ? {
            secretId: env.TENCENT_SMS_SECRET_ID,
            secretKey: env.TENCENT_SMS_SECRET_KEY!,
            sdkAppId: env.TENCENT_SMS_SDK_APP_ID!,
            signName: env.TENCENT_SMS_SIGN_NAME!,
            templateId: env.TENCENT_SMS_TEMPLATE_ID!,
            region: env.TENCENT_SMS_REGION || 'ap-guangzhou',
            endpoint: (env.TENCENT_SMS_ENDPOINT || 'https://sms.tencentcloudapi.com').replace(/\/+$/, ''),
            timeoutMs: positive(env, 'TENCENT_SMS_TIMEOUT_MS', 5000),
          }
        : undefined,
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
    favoritesMaxPerUser: positive(env, 'FAVORITES_MAX_PER_USER', 500),
    family: {
      trialDays: positive(env, 'MEMBER_TRIAL_DAYS', 7),
      codeFailuresPerUser: { limit: positive(env, 'MEMBER_CODE_MAX_FAILURES_PER_USER', 10), windowSeconds: positive(env, 'MEMBER_CODE_WINDOW_SECONDS', 3600) },
      codeFailuresPerIp: { limit: positive(env, 'MEMBER_CODE_MAX_FAILURES_PER_IP', 30), windowSeconds: positive(env, 'MEMBER_CODE_WINDOW_SECONDS', 3600) },
      accessRiskRetentionDays: positive(env, 'MEMBER_ACCESS_RISK_RETENTION_DAYS', 180),
    },
    maxRequestBodyBytes: int(env, 'MAX_REQUEST_BODY_BYTES', 1024 * 1024),
    maxJsonDepth: int(env, 'MAX_JSON_DEPTH', 64),
    maxOperationNameLength: int(env, 'MAX_OPERATION_NAME_LENGTH', 128),
    http: {
      headersTimeoutMs: int(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000),
      requestTimeoutMs: int(env, 'HTTP_REQUEST_TIMEOUT_MS', 30_000),
      keepAliveTimeoutMs: int(env, 'HTTP_KEEPALIVE_TIMEOUT_MS', 5000),
      maxRequestsPerSocket: int(env, 'HTTP_MAX_REQUESTS_PER_SOCKET', 1000),
      maxConnectionsPerAddress: int(env, 'MAX_CONNECTIONS_PER_ADDRESS', int(env, 'TRUST_PROXY_HOPS', 0) > 0 ? 0 : 128),
    },
    subgraphMaxResponseBytes: int(env, 'SUBGRAPH_MAX_RESPONSE_BYTES', 8 * 1024 * 1024),
    operationLimits: {
      maxDepth: int(env, 'MAX_QUERY_DEPTH', 10),
      maxAliases: int(env, 'MAX_QUERY_ALIASES', 15),
      maxRootFields: int(env, 'MAX_ROOT_FIELDS', 15),
      maxTokens: int(env, 'MAX_QUERY_TOKENS', 2000),
      maxDirectives: int(env, 'MAX_QUERY_DIRECTIVES', 50),
      maxCost: int(env, 'MAX_QUERY_COST', 10_000),
      defaultListSize: int(env, 'QUERY_COST_DEFAULT_LIST_SIZE', 20),
      maxFields: int(env, 'MAX_QUERY_FIELDS', 500),
    },
    shipping,
    money,
    throttle: {
      loginPerIp: { limit: int(env, 'LOGIN_MAX_FAILURES_PER_IP', 50), windowSeconds: int(env, 'LOGIN_IP_WINDOW_SECONDS', 15 * 60) },
      registerPerIp: { limit: int(env, 'REGISTER_MAX_PER_IP', 20), windowSeconds: int(env, 'REGISTER_IP_WINDOW_SECONDS', 3600) },
      wechatPerIp: { limit: int(env, 'WECHAT_LOGIN_MAX_PER_IP', 60), windowSeconds: int(env, 'WECHAT_LOGIN_WINDOW_SECONDS', 60) },
      refreshPerIp: { limit: int(env, 'REFRESH_MAX_PER_IP', 120), windowSeconds: refreshWindow },
      refreshPerSession: { limit: int(env, 'REFRESH_MAX_PER_SESSION', 10), windowSeconds: refreshWindow },
    },
    order: {
      paymentTimeoutSeconds: int(env, 'ORDER_PAYMENT_TIMEOUT_SECONDS', 1800),
      sagaTimeoutSeconds: int(env, 'ORDER_SAGA_TIMEOUT_SECONDS', 60),
      autoConfirmDays: days(env, 'ORDER_AUTO_CONFIRM_DAYS', 10),
      afterSalesWindowDays: days(env, 'AFTER_SALES_WINDOW_DAYS', 7),
      refundWatchSeconds: int(env, 'ORDER_REFUND_WATCH_SECONDS', 600),
      maxUnpaidOrdersPerShopper: positive(env, 'MAX_UNPAID_ORDERS_PER_SHOPPER', 5),
      maxUnpaidUnitsPerSku: positive(env, 'MAX_UNPAID_UNITS_PER_SKU', 20),
      // Never in development or production: a switch that kills the process must not exist outside tests.
      sagaCrashAfter:
        nodeEnv === 'test' && ['created', 'reserve', 'coupon'].includes(env.ORDER_SAGA_CRASH_AFTER ?? '')
          ? (env.ORDER_SAGA_CRASH_AFTER as OrderConfig['sagaCrashAfter'])
          : null,
      subscriptionCrashAfterPackages:
        nodeEnv === 'test' && /^\d{1,2}$/.test(env.ORDER_SUBSCRIPTION_CRASH_AFTER_PACKAGES ?? '') ? Number(env.ORDER_SUBSCRIPTION_CRASH_AFTER_PACKAGES) : null,
      subscriptionSchedulerIntervalMs: positive(env, 'SUBSCRIPTION_SCHEDULER_INTERVAL_SECONDS', 300) * 1000,
      subscriptionLeadDays: nonNegative(env, 'SUBSCRIPTION_PACKAGE_LEAD_DAYS', 1),
    },
    holds: holdsConfig(env),
    review: { editWindowHours: nonNegative(env, 'REVIEW_EDIT_WINDOW_HOURS', 72) },
    open: openConfig(env, isProduction),
    openLogs: openLogsConfig(env),
    events: {
      namespace: env.EVENTS_NAMESPACE || undefined,
      pollIntervalMs: int(env, 'EVENTS_POLL_INTERVAL_MS', 100),
      relayLeaseMs: int(env, 'EVENTS_RELAY_LEASE_MS', 10_000),
      claimIdleMs: int(env, 'EVENTS_CLAIM_IDLE_MS', 30_000),
      streamMaxLen: int(env, 'EVENTS_STREAM_MAXLEN', 100_000),
      jobPollIntervalMs: int(env, 'EVENTS_JOB_POLL_INTERVAL_MS', 1000),
      jobLeaseMs: int(env, 'EVENTS_JOB_LEASE_MS', 60_000),
      jobConcurrency: Math.max(1, int(env, 'JOB_CONCURRENCY', 4)),
      jobMaxAttempts: Math.max(1, int(env, 'JOB_MAX_ATTEMPTS', 300)),
      maxDeliveries: Math.max(1, int(env, 'EVENTS_MAX_DELIVERIES', 300)),
      retention: checkRetention({
        outboxMs: int(env, 'EVENTS_OUTBOX_RETENTION_HOURS', 168) * HOUR_MS,
        streamMs: int(env, 'EVENTS_STREAM_RETENTION_HOURS', 168) * HOUR_MS,
        processedMs: int(env, 'EVENTS_PROCESSED_RETENTION_HOURS', 720) * HOUR_MS,
        jobsMs: int(env, 'JOB_RETENTION_HOURS', 720) * HOUR_MS,
        deadJobsMs: int(env, 'JOB_DEAD_RETENTION_HOURS', 2160) * HOUR_MS,
        pruneIntervalMs: int(env, 'EVENTS_PRUNE_INTERVAL_SECONDS', 3600) * 1000,
      }),
    },
    subscriptions: {
      perConnection: int(env, 'SUBSCRIPTIONS_PER_CONNECTION', 10),
      perUser: int(env, 'SUBSCRIPTIONS_PER_USER', 50),
      perAddress: int(env, 'SUBSCRIPTIONS_PER_ADDRESS', 200),
      slotLeaseMs: int(env, 'SUBSCRIPTION_SLOT_LEASE_MS', 30_000),
      rereadMs: int(env, 'SUBSCRIPTION_REREAD_MS', 60_000),
      keepAliveMs: int(env, 'SUBSCRIPTION_KEEPALIVE_MS', 12_000),
      queueMax: int(env, 'SUBSCRIPTION_QUEUE_MAX', 4),
    },
    logistics: {
      kuaidi100Salt: env.KUAIDI100_SALT || (!isProduction && reachableOnlyLocally(env, host) ? DEV_KUAIDI100_SALT : null),
      kuaidi100Key: env.KUAIDI100_KEY || null,
      kuaidi100PollUrl: env.KUAIDI100_POLL_URL || 'https://poll.kuaidi100.com/poll',
      kuaidi100CallbackUrl: env.KUAIDI100_CALLBACK_URL || `${(env.PAYMENT_PUBLIC_URL || `http://127.0.0.1:${ports.router}`).replace(/\/+$/, '')}/notify/kuaidi100`,
    },
    payment: {
      sandbox: paymentSandbox,
      methods: (env.PAYMENT_METHODS || 'WECHAT,ALIPAY,BALANCE,FAMILY_BALANCE').split(',').map((m) => m.trim().toUpperCase()).filter(Boolean),
      publicUrl: (env.PAYMENT_PUBLIC_URL || `http://127.0.0.1:${ports.router}`).replace(/\/+$/, ''),
      notifyMaxSkewSeconds: int(env, 'PAYMENT_NOTIFY_MAX_SKEW_SECONDS', 300),
      reconcileAfterSeconds: int(env, 'PAYMENT_RECONCILE_AFTER_SECONDS', 300),
      reconcileMaxIntervalSeconds: int(env, 'PAYMENT_RECONCILE_MAX_INTERVAL_SECONDS', 3600),
      wechat: {
        appId: env.WECHATPAY_APPID || env.WECHAT_APPID || undefined,
        mchId: env.WECHATPAY_MCHID || undefined,
        merchantSerial: env.WECHATPAY_MERCHANT_SERIAL || undefined,
        merchantPrivateKey: pem(env, 'WECHATPAY_MERCHANT_PRIVATE_KEY'),
        apiV3Key: env.WECHATPAY_APIV3_KEY || undefined,
        platformPublicKey: pem(env, 'WECHATPAY_PLATFORM_PUBLIC_KEY'),
        platformSerial: env.WECHATPAY_PLATFORM_SERIAL || undefined,
        apiBase: env.WECHATPAY_API_BASE || 'https://api.mch.weixin.qq.com',
      },
      alipay: {
        appId: env.ALIPAY_APP_ID || undefined,
        privateKey: pem(env, 'ALIPAY_PRIVATE_KEY'),
        alipayPublicKey: pem(env, 'ALIPAY_PUBLIC_KEY'),
        gateway: env.ALIPAY_GATEWAY || 'https://openapi.alipay.com/gateway.do',
      },
    },
    messages: messagesConfig(env, int(env, 'EVENTS_PROCESSED_RETENTION_HOURS', 720) * HOUR_MS),
    lifecycle: {
      shutdownGraceMs: nonNegative(env, 'SHUTDOWN_GRACE_MS', 10_000),
      shutdownDelayMs: nonNegative(env, 'SHUTDOWN_DELAY_MS', 0),
      readinessTimeoutMs: positive(env, 'READINESS_TIMEOUT_MS', 1000),
    },
  };
}
