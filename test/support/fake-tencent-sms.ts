/**
 * A stand-in for Tencent Cloud SMS (https://sms.tencentcloudapi.com/, API 3.0 `SendSms`, version 2021-01-11) that checks
 * each request the way Tencent does — TC3-HMAC-SHA256 recomputed from the raw body, the Host header and the
 * X-TC-Timestamp, written here from Tencent's documentation (not with the client's code) — and records the messages.
 * Answers as Tencent does: `{ Response: { SendStatusSet: [...], RequestId } }`, or `{ Response: { Error: { Code, Message } } }`.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentSms {
  phone: string;
  templateId: string;
  params: string[];
  signName: string;
  sdkAppId: string;
}

export interface FakeTencentSms {
  url: string;
  secretId: string;
  secretKey: string;
  sdkAppId: string;
  /** Messages accepted (signature valid). */
  sent: SentSms[];
  /** Requests refused, with Tencent's error code. */
  refused: string[];
  /** Numbers for which the next send answers this per-number status code (e.g. LimitExceeded.PhoneNumberDailyLimit). */
  failNumbers: Map<string, string>;
  /** The environment that points the user subgraph at this fake. */
  env: Record<string, string>;
  close(): Promise<void>;
}

const hex = (data: string) => crypto.createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => crypto.createHmac('sha256', key).update(data, 'utf8').digest();

export async function startFakeTencentSms(): Promise<FakeTencentSms> {
  const secretId = `AKID${crypto.randomBytes(12).toString('hex')}`;
  const secretKey = crypto.randomBytes(16).toString('hex');
  const sdkAppId = '1400000001';
  const sent: SentSms[] = [];
  const refused: string[] = [];
  const failNumbers = new Map<string, string>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const requestId = crypto.randomUUID();
      const answer = (payload: object) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ Response: { ...payload, RequestId: requestId } }));
      };
      const error = (code: string, message: string) => {
        refused.push(code);
        answer({ Error: { Code: code, Message: message } });
      };
      if (req.method !== 'POST' || req.url !== '/') return error('UnsupportedOperation', 'POST / only');
      if (req.headers['x-tc-action'] !== 'SendSms') return error('InvalidAction', 'action');
      if (req.headers['x-tc-version'] !== '2021-01-11') return error('NoSuchVersion', 'version');
      const timestamp = Number(req.headers['x-tc-timestamp']);
      if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 300) return error('AuthFailure.SignatureExpire', 'timestamp');
      const match = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/sms\/tc3_request, SignedHeaders=([a-z;-]+), Signature=([0-9a-f]{64})$/.exec(
        String(req.headers.authorization ?? ''),
      );
      if (!match) return error('AuthFailure.InvalidAuthorization', 'authorization');
      const [, id, date, signedHeaders, signature] = match;
      if (id !== secretId) return error('AuthFailure.SecretIdNotFound', 'secret id');
      if (date !== new Date(timestamp * 1000).toISOString().slice(0, 10)) return error('AuthFailure.SignatureFailure', 'date');
      const headerNames = signedHeaders.split(';');
      if (!headerNames.includes('content-type') || !headerNames.includes('host')) return error('AuthFailure.SignatureFailure', 'signed headers');
      const canonicalHeaders = headerNames.map((name) => `${name}:${String(req.headers[name] ?? '').trim().toLowerCase()}\n`).join('');
      // Tencent's canonical headers: names and values lower-cased and trimmed, in SignedHeaders order.
      const canonicalRequest = ['POST', '/', '', canonicalHeaders, signedHeaders, hex(body)].join('\n');
      const stringToSign = ['TC3-HMAC-SHA256', String(timestamp), `${date}/sms/tc3_request`, hex(canonicalRequest)].join('\n');
      const key = hmac(hmac(hmac(`TC3${secretKey}`, date), 'sms'), 'tc3_request');
      const expected = crypto.createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
      if (!crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) return error('AuthFailure.SignatureFailure', 'The provided credentials could not be validated');
      let payload: { PhoneNumberSet?: string[]; SmsSdkAppId?: string; SignName?: string; TemplateId?: string; TemplateParamSet?: string[] };
      try {
        payload = JSON.parse(body);
      } catch {
        return error('InvalidParameter', 'body');
      }
      if (payload.SmsSdkAppId !== sdkAppId) return error('FailedOperation.SmsSdkAppIdVerifyFail', 'sdk app id');
      const statuses = (payload.PhoneNumberSet ?? []).map((number) => {
        const failure = failNumbers.get(number);
        if (failure) {
          failNumbers.delete(number);
          return { SerialNo: '', PhoneNumber: number, Fee: 0, SessionContext: '', Code: failure, Message: 'limit', IsoCode: 'CN' };
        }
        sent.push({
          phone: number,
          templateId: String(payload.TemplateId),
          params: payload.TemplateParamSet ?? [],
          signName: String(payload.SignName),
          sdkAppId: String(payload.SmsSdkAppId),
        });
        return { SerialNo: crypto.randomUUID(), PhoneNumber: number, Fee: 1, SessionContext: '', Code: 'Ok', Message: 'send success', IsoCode: 'CN' };
      });
      answer({ SendStatusSet: statuses });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    secretId,
    secretKey,
    sdkAppId,
    sent,
    refused,
    failNumbers,
    env: {
      TENCENT_SMS_SECRET_ID: secretId,
      TENCENT_SMS_SECRET_KEY: secretKey,
      TENCENT_SMS_SDK_APP_ID: sdkAppId,
      TENCENT_SMS_SIGN_NAME: '测试商城',
      TENCENT_SMS_TEMPLATE_ID: '1234567',
      TENCENT_SMS_ENDPOINT: url,
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The code of the latest message to a mainland `phone` (TemplateParamSet[0]). */
export function lastCodeTo(fake: FakeTencentSms, phone: string): string {
  const message = [...fake.sent].reverse().find((entry) => entry.phone === `+86${phone}`);
  if (!message) throw new Error(`no SMS to ${phone}`);
  return message.params[0];
}
