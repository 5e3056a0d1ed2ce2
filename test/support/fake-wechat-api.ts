/**
 * A stand-in for api.weixin.qq.com speaking the mini-program server APIs passport uses, with WeChat's paths, field
 * names and errcodes: GET /sns/jscode2session (a fresh random 16-byte session_key per login, as WeChat does),
 * POST /cgi-bin/stable_token, POST /wxa/business/getuserphonenumber?access_token=…; plus what the WeChat client does
 * on the phone: encrypt user data (AES-128-CBC, PKCS#7, base64) under the login's session key with a watermark.
 * Codes: `good-<suffix>` logs in openid `o-<suffix>` (with unionid `union-<suffix>` when the suffix starts with `u`).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeWechatApi {
  url: string;
  appId: string;
  secret: string;
  /** The latest session key WeChat gave each openid. */
  sessionKeys: Map<string, string>;
  /** getPhoneNumber codes the fake knows: code → mainland phone (11 digits). */
  phoneCodes: Map<string, string>;
  /** Paths requested, in order. */
  requests: string[];
  /** Encrypts `payload` (plus a watermark of `appid`, ours by default) under the openid's current session key. */
  encryptFor(openid: string, payload: Record<string, unknown>, appid?: string): { encryptedData: string; iv: string };
  /** The environment that points the user subgraph at this fake. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startFakeWechatApi(): Promise<FakeWechatApi> {
  const appId = `wx${crypto.randomBytes(8).toString('hex')}`;
  const secret = crypto.randomBytes(16).toString('hex');
  const sessionKeys = new Map<string, string>();
  const phoneCodes = new Map<string, string>();
  const requests: string[] = [];
  const tokens = new Set<string>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://localhost');
      requests.push(url.pathname);
      // WeChat labels its JSON text/plain.
      const reply = (body: unknown) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(JSON.stringify(body));
      };
      const json = () => {
        try {
          return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        } catch {
          return {};
        }
      };
      if (req.method === 'GET' && url.pathname === '/sns/jscode2session') {
        const q = Object.fromEntries(url.searchParams);
        if (q.appid !== appId || q.secret !== secret) return reply({ errcode: 40125, errmsg: 'invalid appsecret' });
        if (!q.js_code?.startsWith('good-')) return reply({ errcode: 40029, errmsg: 'invalid code' });
        const suffix = q.js_code.slice(5);
        const openid = `o-${suffix}`;
        const sessionKey = crypto.randomBytes(16).toString('base64');
        sessionKeys.set(openid, sessionKey);
        return reply({ openid, session_key: sessionKey, ...(suffix.startsWith('u') ? { unionid: `union-${suffix}` } : {}) });
      }
      if (req.method === 'POST' && url.pathname === '/cgi-bin/stable_token') {
        const body = json();
        if (body.grant_type !== 'client_credential' || body.appid !== appId || body.secret !== secret) return reply({ errcode: 40125, errmsg: 'invalid appsecret' });
        const token = `tok-${crypto.randomBytes(8).toString('hex')}`;
        tokens.add(token);
        return reply({ access_token: token, expires_in: 7200 });
      }
      if (req.method === 'POST' && url.pathname === '/wxa/business/getuserphonenumber') {
        if (!tokens.has(url.searchParams.get('access_token') ?? '')) return reply({ errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
        const code = String(json().code ?? '');
        const phone = phoneCodes.get(code);
        if (!phone) return reply({ errcode: 40029, errmsg: 'invalid code' });
        phoneCodes.delete(code);
        return reply({
          errcode: 0,
          errmsg: 'ok',
          phone_info: { phoneNumber: phone, purePhoneNumber: phone, countryCode: '86', watermark: { timestamp: Math.floor(Date.now() / 1000), appid: appId } },
        });
      }
      reply({ errcode: 404, errmsg: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    appId,
    secret,
    sessionKeys,
    phoneCodes,
    requests,
    encryptFor(openid, payload, appid = appId) {
      const key = sessionKeys.get(openid);
      if (!key) throw new Error(`no WeChat login of ${openid}`);
      const iv = crypto.randomBytes(16);
      const cipher = crypto.createCipheriv('aes-128-cbc', Buffer.from(key, 'base64'), iv);
      const plaintext = JSON.stringify({ ...payload, watermark: { timestamp: Math.floor(Date.now() / 1000), appid } });
      return { encryptedData: Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64'), iv: iv.toString('base64') };
    },
    env: { WECHAT_APPID: appId, WECHAT_SECRET: secret, WECHAT_API_BASE: url },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
