/**
 * The safelist's calls to the open subgraph (internal fields, signed as the router): the live manifests and modes,
 * and the batched traffic counts.
 */
import type { Config, SafelistModeName } from '../../platform/config';
import { IDENTITY_HEADER, signIdentity } from '../../platform/identity';

export interface RegistryAnswer {
  modes: { clientName: string; mode: 'OFF' | 'AUDIT' | 'ENFORCE' }[];
  operations: { clientName: string; version: string; id: string; body: string }[];
}

export interface TrafficReport {
  clientName: string;
  version: string;
  day: string;
  requests: number;
  lastSeenAt: string;
}

const REGISTRY_QUERY = '{ safelistRegistry { modes { clientName mode } operations { clientName version id body } } }';
const TRAFFIC_MUTATION = 'mutation($e: [ClientTrafficInput!]!) { recordClientTraffic(entries: $e) }';

export const modeName = (mode: RegistryAnswer['modes'][number]['mode']) => mode.toLowerCase() as SafelistModeName;

export class SafelistOpenClient {
  constructor(
    private readonly config: Config,
    private readonly openUrl: () => string,
  ) {}

  registry(): Promise<RegistryAnswer> {
    return this.request<{ safelistRegistry: RegistryAnswer }>(REGISTRY_QUERY, {}).then((data) => data.safelistRegistry);
  }

  async reportTraffic(entries: TrafficReport[]): Promise<void> {
    await this.request(TRAFFIC_MUTATION, { e: entries });
  }

  private async request<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const response = await fetch(this.openUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: signIdentity({ scopes: [], audience: 'open' }, this.config.serviceKeys) },
      body: JSON.stringify({ query, variables }),
      // Requests may wait on the first read: bounded well below a client's patience.
      signal: AbortSignal.timeout(2000),
    });
    const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
    if (!response.ok || body.errors?.length || !body.data) {
      throw new Error(`open subgraph answered ${response.status}: ${body.errors?.map((e) => e.message).join('; ') ?? 'no data'}`);
    }
    return body.data;
  }
}
