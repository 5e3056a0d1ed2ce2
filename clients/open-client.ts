/**
 * A small Node client of the open platform (docs/open-platform.md): signs each call as the gateway expects and returns
 * the parsed answer with its status and rate-limit headers. Node 18+ (global fetch), no dependencies.
 *
 *   const client = new OpenClient({ baseUrl: 'http://127.0.0.1:4000', appKey, appSecret, session });
 *   const { status, body } = await client.call('order.query', { id: '42' });
 */
import crypto from 'node:crypto';

export interface OpenClientOptions {
  /** The router's origin, e.g. http://127.0.0.1:4000. */
  baseUrl: string;
  appKey: string;
  appSecret: string;
  /** The merchant session token (X-Session). */
  session: string;
  /** Clock in ms (tests move it); default Date.now. */
  now?: () => number;
}

export interface OpenAnswer<T = unknown> {
  status: number;
  body: { data: T | null; error: { code: string; message: string } | null };
  headers: Headers;
}

export interface CallOverrides {
  /** Replace any system header (tests of refusals), or drop it with null. */
  headers?: Record<string, string | null>;
  /** Send this exact body text (default: JSON of the parameters). */
  rawBody?: string;
  /** Sign with this secret instead. */
  secret?: string;
  nonce?: string;
  timestamp?: number;
}

/** The string the gateway signs: POST, path, app key, timestamp, nonce, session, hex SHA-256 of the body, by "\n". */
export function openStringToSign(path: string, appKey: string, timestamp: string, nonce: string, session: string, body: string): string {
  return ['POST', path, appKey, timestamp, nonce, session, crypto.createHash('sha256').update(body).digest('hex')].join('\n');
}

export function openSignature(secret: string, stringToSign: string): string {
  return crypto.createHmac('sha256', secret).update(stringToSign).digest('hex');
}

export class OpenClient {
  constructor(private readonly options: OpenClientOptions) {}

  /** The headers and body of one signed call (fresh nonce and timestamp each time). */
  prepare(method: string, parameters: Record<string, unknown> = {}, overrides: CallOverrides = {}) {
    const path = `/open/v1/${method}`;
    const body = overrides.rawBody ?? JSON.stringify(parameters);
    const timestamp = String(overrides.timestamp ?? Math.floor((this.options.now ?? Date.now)() / 1000));
    const nonce = overrides.nonce ?? crypto.randomBytes(16).toString('hex');
    const sign = openSignature(overrides.secret ?? this.options.appSecret, openStringToSign(path, this.options.appKey, timestamp, nonce, this.options.session, body));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-app-key': this.options.appKey,
      'x-timestamp': timestamp,
      'x-nonce': nonce,
      'x-session': this.options.session,
      'x-sign-method': 'hmac-sha256',
      'x-sign': sign,
    };
    for (const [name, value] of Object.entries(overrides.headers ?? {})) {
      if (value === null) delete headers[name];
      else headers[name] = value;
    }
    return { url: new URL(path, this.options.baseUrl).toString(), headers, body };
  }

  async send<T = unknown>(prepared: { url: string; headers: Record<string, string>; body: string }): Promise<OpenAnswer<T>> {
    const response = await fetch(prepared.url, { method: 'POST', headers: prepared.headers, body: prepared.body });
    return { status: response.status, body: (await response.json()) as OpenAnswer<T>['body'], headers: response.headers };
  }

  call<T = unknown>(method: string, parameters: Record<string, unknown> = {}, overrides: CallOverrides = {}): Promise<OpenAnswer<T>> {
    return this.send<T>(this.prepare(method, parameters, overrides));
  }
}
