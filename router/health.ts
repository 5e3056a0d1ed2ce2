/** GET /health: is each subgraph of the supergraph reachable (its own /health answers ok)? */
import fs from 'node:fs';
import type { Config } from '../platform/config';
import { networkErrorCode, subgraphTimeoutMs, SubgraphTimeoutError, type SubgraphFetchers, type SubgraphUrlResolver } from './gateway';

export interface HealthReport {
  status: 'ok' | 'degraded';
  subgraphs: Record<string, { status: 'ok' | 'unreachable'; url: string; latencyMs?: number; error?: string }>;
}

/** Subgraph names and URLs, read from the supergraph's join__Graph enum. */
export function supergraphSubgraphs(supergraphSdl: string): { name: string; url: string }[] {
  const pattern = /@join__graph\(name: "([^"]+)", url: "([^"]*)"\)/g;
  return [...supergraphSdl.matchAll(pattern)].map((m) => ({ name: m[1], url: m[2] }));
}

export async function subgraphHealth(config: Config, resolveUrl: SubgraphUrlResolver, fetchers: SubgraphFetchers): Promise<HealthReport> {
  const subgraphs = supergraphSubgraphs(fs.readFileSync(config.supergraphPath, 'utf8'));
  const entries = await Promise.all(
    subgraphs.map(async ({ name, url }) => {
      const target = resolveUrl(name, url);
      const healthUrl = new URL('/health', target).toString();
      const started = Date.now();
      try {
        const response = await fetchers.fetcher(subgraphTimeoutMs(config, name))(healthUrl, { method: 'GET' });
        // Read the body so the keep-alive socket goes back to the bounded pool.
        await response.text();
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return [name, { status: 'ok' as const, url: target, latencyMs: Date.now() - started }] as const;
      } catch (error) {
        return [name, { status: 'unreachable' as const, url: target, error: describeFetchError(error) }] as const;
      }
    }),
  );
  const report: HealthReport['subgraphs'] = Object.fromEntries(entries);
  return {
    status: Object.values(report).every((s) => s.status === 'ok') ? 'ok' : 'degraded',
    subgraphs: report,
  };
}

/** The network reason (ECONNREFUSED…) when there is one, "timed out", else the error's message. */
function describeFetchError(error: unknown): string {
  if (error instanceof SubgraphTimeoutError) return 'timed out';
  return networkErrorCode(error) ?? (error as { message?: string } | undefined)?.message ?? String(error);
}
