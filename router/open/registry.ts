/**
 * The router's copy of the open registry (docs/open-platform.md, "Registry cache"): apps (secrets opened with
 * OPEN_SECRET_KEY), open APIs (with their parameter schemas compiled once) and grants, read from the open subgraph's
 * internal `openGatewayRegistry` in one request signed as the router; sessions looked up by token hash on first use
 * and kept for a minute. Every OPEN_REGISTRY_POLL_MS the router reads the registry's generation (Redis; bumped by the
 * open subgraph after every write): when it moved, everything is dropped and read again on the next call, so a change
 * reaches every instance within about a second. If the open subgraph cannot be reached, the last copy is kept
 * (calls keep working with what was known); with no copy at all, calls answer REGISTRY_UNAVAILABLE.
 */
import crypto from 'node:crypto';
import type { Config } from '../../platform/config';
import { IDENTITY_HEADER, signIdentity } from '../../platform/identity';
import { rateLimitedErrorLog, type SharedGeneration } from '../../platform/read-cache';
import { open as openSealed } from '../../platform/secret-box';
import { registryGeneration } from '../../subgraphs/open/invalidation';
import { compileApi, type CompiledApi } from './parameters';

export interface GatewayApp {
  appKey: string;
  enabled: boolean;
  minuteLimit: number;
  dailyLimit: number;
  /** The secrets that sign valid calls now: the current one, and the previous one until its time. */
  secrets: { secret: string; validUntil: number | null }[];
  grantedMethods: Set<string>;
}

export interface GatewaySession {
  id: string;
  appKey: string;
  merchant: string;
  scopes: string[];
  expiresAt: number;
}

export interface Snapshot {
  apps: Map<string, GatewayApp>;
  apis: Map<string, CompiledApi>;
  loadedAt: number;
}

const REGISTRY_QUERY = `{ openGatewayRegistry {
  apps { appKey enabled minuteLimit dailyLimit secretSealed previousSecretSealed previousSecretValidUntil grantedMethods }
  apis { method document enabled idempotent cost maxConcurrency }
} }`;
const SESSION_QUERY = `query($h: String!) { openGatewaySession(tokenHash: $h) { id appKey merchant scopes expiresAt } }`;
/** A copy is read again after this long even without a generation change (a bump lost with Redis down). */
const MAX_SNAPSHOT_AGE_MS = 60_000;
const SESSION_TTL_MS = 60_000;
const MISS_RELOAD_MS = 1000;
const MAX_SESSIONS = 10_000;

export class OpenRegistryCache {
  private snapshot?: Snapshot;
  private loading?: Promise<Snapshot>;
  private readonly sessions = new Map<string, { session: GatewaySession | null; at: number }>();
  private readonly generation: SharedGeneration;
  private lastGeneration: number | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly logError = rateLimitedErrorLog('[router] open registry:');
  /** Invalidations seen (for tests and operators). */
  invalidations = 0;

  constructor(
    private readonly config: Config,
    private readonly openUrl: () => string,
  ) {
    this.generation = registryGeneration(config, 'router');
    this.timer = setInterval(() => void this.poll(), config.open.registryPollMs);
    this.timer.unref();
  }

  private async poll() {
    const current = await this.generation.current();
    if (current === null) return;
    if (this.lastGeneration !== null && current !== this.lastGeneration) this.invalidate();
    this.lastGeneration = current;
  }

  /** Drops everything known: the next call reads the registry again. */
  invalidate() {
    this.invalidations++;
    this.snapshot = undefined;
    this.sessions.clear();
  }

  /**
   * The registry. `missing`: the caller did not find an app or method in the copy it got; when that copy is older than
   * a second it is read again once (a new app is usable at once, without waiting for the next poll; an unknown key
   * costs at most one read per second per instance).
   */
  async registry(missing?: Snapshot): Promise<Snapshot> {
    if (missing && missing === this.snapshot && Date.now() - missing.loadedAt > MISS_RELOAD_MS) this.snapshot = undefined;
    const snapshot = this.snapshot;
    if (snapshot && Date.now() - snapshot.loadedAt < MAX_SNAPSHOT_AGE_MS) return snapshot;
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    try {
      return await this.loading;
    } catch (error) {
      // Keep serving the last copy when the open subgraph is away; without one, the caller answers 503.
      if (snapshot) return snapshot;
      throw error;
    }
  }

  private async load(): Promise<Snapshot> {
    // The generation before the read: a write during the read bumps it again and the next poll drops this copy.
    const generation = await this.generation.current();
    if (generation !== null) this.lastGeneration = generation;
    const data = await this.request<{ openGatewayRegistry: RegistryAnswer }>(REGISTRY_QUERY, {});
    const key = this.config.open.secretKey;
    if (!key) throw new Error('OPEN_SECRET_KEY is not configured');
    const apps = new Map<string, GatewayApp>();
    for (const app of data.openGatewayRegistry.apps) {
      const secrets: GatewayApp['secrets'] = [];
      try {
        secrets.push({ secret: openSealed(key, app.secretSealed, `open-app:${app.appKey}`), validUntil: null });
        if (app.previousSecretSealed && app.previousSecretValidUntil) {
          secrets.push({ secret: openSealed(key, app.previousSecretSealed, `open-app:${app.appKey}`), validUntil: Date.parse(app.previousSecretValidUntil) });
        }
      } catch (error) {
        // Sealed with another key (OPEN_SECRET_KEY differs between the open subgraph and this router): no call verifies.
        this.logError(`the secret of app ${app.appKey} does not open with this router's OPEN_SECRET_KEY`, error as Error);
      }
      apps.set(app.appKey, { ...app, secrets, grantedMethods: new Set(app.grantedMethods) });
    }
    const apis = new Map<string, CompiledApi>();
    for (const api of data.openGatewayRegistry.apis) apis.set(api.method, compileApi(api));
    const snapshot = { apps, apis, loadedAt: Date.now() };
    this.snapshot = snapshot;
    return snapshot;
  }

  /** The live session of a token (not revoked; expiry checked by the caller against its clock), or null. */
  async session(token: string): Promise<GatewaySession | null> {
    const hash = crypto.createHash('sha256').update(token).digest('hex');
    const cached = this.sessions.get(hash);
    if (cached && Date.now() - cached.at < SESSION_TTL_MS) return cached.session;
    const data = await this.request<{ openGatewaySession: (Omit<GatewaySession, 'expiresAt'> & { expiresAt: string }) | null }>(SESSION_QUERY, { h: hash });
    const found = data.openGatewaySession;
    const session = found ? { ...found, expiresAt: Date.parse(found.expiresAt) } : null;
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(hash, { session, at: Date.now() });
    return session;
  }

  private async request<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const response = await fetch(this.openUrl(), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [IDENTITY_HEADER]: signIdentity({ scopes: [], audience: 'open' }, this.config.serviceKeys),
      },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(5000),
    });
    const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
    if (!response.ok || body.errors?.length || !body.data) {
      const error = new Error(`open subgraph answered ${response.status}: ${body.errors?.map((e) => e.message).join('; ') ?? 'no data'}`);
      this.logError('reading the registry failed', error);
      throw error;
    }
    return body.data;
  }

  async close() {
    clearInterval(this.timer);
    await this.generation.close();
  }
}

interface RegistryAnswer {
  apps: {
    appKey: string;
    enabled: boolean;
    minuteLimit: number;
    dailyLimit: number;
    secretSealed: string;
    previousSecretSealed: string | null;
    previousSecretValidUntil: string | null;
    grantedMethods: string[];
  }[];
  apis: { method: string; document: string; enabled: boolean; idempotent: boolean; cost: number; maxConcurrency: number }[];
}
