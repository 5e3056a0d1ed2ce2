/**
 * A stand-in for api.weixin.qq.com speaking the mini-program server APIs passport uses, with WeChat's paths, field
 * names and errcodes: GET /sns/jscode2session (a fresh random 16-byte session_key per login, as WeChat does),
 * POST /cgi-bin/stable_token, POST /wxa/business/getuserphonenumber?access_token=…; plus what the WeChat client does
 * on the phone: encrypt user data (AES-128-CBC, PKCS#7, base64) under the login's session key with a watermark.
 * Codes: `good-<suffix>` logs in openid `o-<suffix>` (with unionid `union-<suffix>` when the suffix starts with `u`).
 * Mini-program codes: POST /wxa/getwxacodeunlimit?access_token=… answers image/jpeg bytes (a small JPEG naming the
 * scene and page), or JSON {errcode, errmsg} as WeChat does: 40001 for a token it does not know, 40169 for a scene over
 * 32 characters, 41030 for a page not in `pages` when check_path is not false, 40097 for a bad width or env_version.
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
  /** Published pages getwxacodeunlimit accepts with check_path (default true). */
  pages: Set<string>;
  /** Bodies of the getwxacodeunlimit calls, in order. */
  codeRequests: Record<string, unknown>[];
  /** Forgets every access token handed out (as when WeChat expires them): the next call with one gets 40001. */
  expireTokens(): void;
  /** The next `count` getwxacodeunlimit calls answer this errcode (e.g. 45009 quota, -1 busy). */
  failCodes(errcode: number, count?: number): void;
  /** Encrypts `payload` (plus a watermark of `appid`, ours by default) under the openid's current session key. */
  encryptFor(openid: string, payload: Record<string, unknown>, appid?: string): { encryptedData: string; iv: string };
  /** The environment that points the user subgraph at this fake. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** `appId`: the mini-program's (default: a random one), e.g. the one its WeChat Pay parameters are signed for. */
export async function startFakeWechatApi(options: { appId?: string } = {}): Promise<FakeWechatApi> {
  const appId = options.appId ?? `wx${crypto.randomBytes(8).toString('hex')}`;
  const secret = crypto.randomBytes(16).toString('hex');
  const sessionKeys = new Map<string, string>();
  const phoneCodes = new Map<string, string>();
  const requests: string[] = [];
  const tokens = new Set<string>();
  const pages = new Set(['pages/index/index', 'pages/invite/index', 'pages/subscribe/wares']);
  const codeRequests: Record<string, unknown>[] = [];
  let failing: { errcode: number; count: number } | null = null;

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
      if (req.method === 'POST' && url.pathname === '/wxa/getwxacodeunlimit') {
        if (!tokens.has(url.searchParams.get('access_token') ?? '')) return reply({ errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
        const body = json();
        codeRequests.push(body);
        if (failing && failing.count > 0) {
          failing.count -= 1;
          return reply({ errcode: failing.errcode, errmsg: failing.errcode === 45009 ? 'reach max api daily quota limit' : 'system error' });
        }
        const scene = String(body.scene ?? '');
        if (!scene || scene.length > 32) return reply({ errcode: 40169, errmsg: 'invalid length for scene, or the data is not json string' });
        const page = String(body.page ?? 'pages/index/index');
        if (body.check_path !== false && !pages.has(page)) return reply({ errcode: 41030, errmsg: 'invalid page hint' });
        const width = body.width === undefined ? 430 : Number(body.width);
        const env = body.env_version === undefined ? 'release' : String(body.env_version);
        if (!(width >= 280 && width <= 1280) || !['release', 'trial', 'develop'].includes(env)) return reply({ errcode: 40097, errmsg: 'invalid args' });
        // A JPEG's start and end markers around the request, so a test can tell which code it got.
        const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(`${page}|${scene}|${width}|${env}`, 'utf8'), Buffer.from([0xff, 0xd9])]);
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(jpeg.length) });
        return res.end(jpeg);
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
    pages,
    codeRequests,
    expireTokens: () => tokens.clear(),
    failCodes(errcode, count = 1) {
      failing = { errcode, count };
    },
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
