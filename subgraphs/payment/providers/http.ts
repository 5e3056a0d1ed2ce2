/** The HTTP boundary of a payment provider: the real one over undici, or the in-process sandbox speaking the same protocol. */
import { fetch } from 'undici';

export interface ProviderRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface ProviderResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type Transport = (request: ProviderRequest) => Promise<ProviderResponse>;

export function httpTransport(timeoutMs: number): Transport {
  return async (request) => {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.method === 'GET' ? undefined : request.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => (headers[key.toLowerCase()] = value));
    return { status: response.status, headers, body: Buffer.from(await response.arrayBuffer()) };
  };
}

/** A provider answered something we cannot use (not 2xx, bad signature, unexpected shape). */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}
