/**
 * The router's copy of the live manifests and modes (one internal read of the open subgraph), dropped when the
 * safelist's generation moves (polled every OPEN_REGISTRY_POLL_MS, 500 ms by default: a registration, retirement or
 * mode change reaches every router instance within about a second), and read again at least every minute.
 * When the open subgraph cannot be read, the last copy is kept; with none, an empty one (no manifests, no modes set:
 * every client in SAFELIST_DEFAULT_MODE) is used; either way the read is tried again after a second (requests in
 * between do not wait for it).
 */
import type { Config, SafelistModeName } from '../../platform/config';
import { rateLimitedErrorLog, type SharedGeneration } from '../../platform/read-cache';
import { safelistGeneration } from '../../subgraphs/open/invalidation';
import { modeName, type SafelistOpenClient } from './open-client';

export interface SafelistSnapshot {
  modes: Map<string, SafelistModeName>;
  /** Per client name: operation id → body, over all its live versions. */
  byClient: Map<string, Map<string, string>>;
  /** Every live operation, whatever its client (what unnamed clients and names without releases are held to). */
  all: Map<string, string>;
  loadedAt: number;
}

const MAX_SNAPSHOT_AGE_MS = 60_000;
const RETRY_AFTER_FAILURE_MS = 1000;

export const emptySnapshot = (): SafelistSnapshot => ({ modes: new Map(), byClient: new Map(), all: new Map(), loadedAt: Date.now() });

/** The body of a persisted id for this client: its own manifests when it has any, else every live manifest. */
export function lookup(snapshot: SafelistSnapshot, client: string | null, id: string): string | undefined {
  const own = client === null ? undefined : snapshot.byClient.get(client);
  return (own ?? snapshot.all).get(id);
}

export class SafelistRegistryCache {
  private snapshot?: SafelistSnapshot;
  /** False once the generation moved: the copy is read again before it answers (kept only if that read fails). */
  private fresh = false;
  private loading?: Promise<SafelistSnapshot>;
  private failedAt = 0;
  private readonly generation: SharedGeneration;
  private lastGeneration: number | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly logError = rateLimitedErrorLog('[router] safelist registry:');
  /** Invalidations seen (tests, operators). */
  invalidations = 0;

  constructor(
    config: Config,
    private readonly client: SafelistOpenClient,
  ) {
    this.generation = safelistGeneration(config, 'router');
    this.timer = setInterval(() => void this.poll(), config.open.registryPollMs);
    this.timer.unref();
  }

  private async poll() {
    const current = await this.generation.current();
    if (current === null) return;
    if (this.lastGeneration !== null && current !== this.lastGeneration) {
      this.invalidations++;
      this.fresh = false;
      this.failedAt = 0;
    }
    this.lastGeneration = current;
  }

  /** The current copy; never throws (see the file's comment). */
  async current(): Promise<SafelistSnapshot> {
    const snapshot = this.snapshot;
    if (snapshot && this.fresh && Date.now() - snapshot.loadedAt < MAX_SNAPSHOT_AGE_MS) return snapshot;
    // A read failed a moment ago: requests do not wait on the open subgraph again before a second has passed.
    if (Date.now() - this.failedAt < RETRY_AFTER_FAILURE_MS) return snapshot ?? emptySnapshot();
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    try {
      return await this.loading;
    } catch (error) {
      this.failedAt = Date.now();
      this.logError('reading the manifests failed', error as Error);
      return snapshot ?? emptySnapshot();
    }
  }

  private async load(): Promise<SafelistSnapshot> {
    // The generation before the read: a write during the read bumps it again and the next poll drops this copy.
    const generation = await this.generation.current();
    if (generation !== null) this.lastGeneration = generation;
    const answer = await this.client.registry();
    const snapshot = emptySnapshot();
    for (const { clientName, mode } of answer.modes) snapshot.modes.set(clientName, modeName(mode));
    for (const { clientName, id, body } of answer.operations) {
      let own = snapshot.byClient.get(clientName);
      if (!own) snapshot.byClient.set(clientName, (own = new Map()));
      own.set(id, body);
      snapshot.all.set(id, body);
    }
    this.snapshot = snapshot;
    this.fresh = true;
    return snapshot;
  }

  async close() {
    clearInterval(this.timer);
    await this.generation.close();
  }
}
