/**
 * Calls to Kuaidi100 (the one outside service order calls): the subscription request (订阅请求). A POST of
 * `application/x-www-form-urlencoded` `schema=json&param={company, number, key, parameters: {callbackurl, salt,
 * resultv2}}` to KUAIDI100_POLL_URL, answered `{"result":true,"returnCode":"200","message":"提交成功"}`.
 */
import type { LogisticsConfig } from '../../platform/config';

export interface SubscribeAnswer {
  /** Accepted (200), or already subscribed (501: 重复订阅). */
  ok: boolean;
  /** Worth trying again later (HTTP 5xx, returnCode 500, network or timeout): the caller throws. */
  retry: boolean;
  returnCode: string;
  message: string;
}

const TIMEOUT_MS = 10_000;

export async function subscribeTracking(config: LogisticsConfig, parcel: { carrierCode: string; trackingNumber: string }): Promise<SubscribeAnswer> {
  if (!config.kuaidi100Key || !config.kuaidi100Salt) return { ok: false, retry: false, returnCode: 'CONFIG', message: 'KUAIDI100_KEY / KUAIDI100_SALT not set' };
  const param = JSON.stringify({
    company: parcel.carrierCode,
    number: parcel.trackingNumber,
    key: config.kuaidi100Key,
    parameters: { callbackurl: config.kuaidi100CallbackUrl, salt: config.kuaidi100Salt, resultv2: '1' },
  });
  let response: Response;
  try {
    response = await fetch(config.kuaidi100PollUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ schema: 'json', param }).toString(),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    return { ok: false, retry: true, returnCode: 'NETWORK', message: (error as Error).message };
  }
  if (response.status >= 500) return { ok: false, retry: true, returnCode: String(response.status), message: `HTTP ${response.status}` };
  let body: { result?: unknown; returnCode?: unknown; message?: unknown };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    return { ok: false, retry: true, returnCode: String(response.status), message: 'not JSON' };
  }
  const returnCode = String(body.returnCode ?? '');
  const message = String(body.message ?? '').slice(0, 200);
  if (body.result === true || returnCode === '200' || returnCode === '501') return { ok: true, retry: false, returnCode, message };
  return { ok: false, retry: returnCode === '500' || returnCode === '', returnCode, message };
}
