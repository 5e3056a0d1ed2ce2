/**
 * A stand-in for api.weixin.qq.com over real HTTP, for the mini-program's server-side calls: the real paths, query
 * strings and JSON bodies, and WeChat's errcodes. It keeps what WeChat keeps:
 * - `GET /sns/jscode2session`: a code from `code(openid)` signs in that openid (a code works once: 40163 after);
 * - `GET /cgi-bin/token` and `POST /cgi-bin/stable_token`: access tokens for the app id and secret (40013 / 40125
 *   otherwise); stable_token answers the current token unless `force_refresh`; `expireTokens()` makes every token
 *   issued so far answer 42001;
 * - `POST /cgi-bin/message/subscribe/send?access_token=…`: checks the token (41001 / 40001 / 42001), the openid
 *   (40003: not a user of this app), the template (40037), every data value against its key type's rule (47003),
 *   miniprogram_state and lang (47003), and the shopper's acceptances: `accept(openid, templateId)` is one
 *   acceptance in wx.requestSubscribeMessage; a message uses one, none left answers 43101. Sent messages are kept
 *   in `sent`;
 * - scripted trouble for the next calls of send: `failNext({ status: 500 })`, `failNext({ errcode: -1 })`,
 *   `failNext({ errcode: 45009 })`, `failNext({ hangMs: 2000 })` (the message IS sent, the answer comes late).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMessage {
  touser: string;
  template_id: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogram_state?: string;
  lang?: string;
  at: Date;
}

export type Trouble = { status: number } | { errcode: number; errmsg?: string } | { hangMs: number };

export interface FakeWechatApi {
  url: string;
  appId: string;
  secret: string;
  sent: SentMessage[];
  /** Every request: method, path, query (the secret included: assertions only). */
  requests: { method: string; path: string; query: Record<string, string>; body?: unknown }[];
  /** A fresh wx.login() code for `openid` (which becomes a user of this app). */
  code(openid?: string): string;
  /** A user of this app who opened the mini-program (no code needed): their openid. */
  user(): string;
  /** One acceptance of `templateId` in the subscribe dialog (n of them). */
  accept(openid: string, templateId: string, n?: number): void;
  /** Acceptances left at WeChat. */
  acceptances(openid: string, templateId: string): number;
  failNext(...troubles: Trouble[]): void;
  expireTokens(): void;
  /** Tokens issued (token and stable_token calls that succeeded). */
  tokensIssued(): number;
  close(): Promise<void>;
}

/** WeChat's value rules per data key type (订阅消息参数值内容限制). */
const VALUE_RULES: Record<string, (value: string) => boolean> = {
  thing: (v) => [...v].length <= 20,
  number: (v) => /^[0-9.]{1,32}$/.test(v),
  letter: (v) => /^[A-Za-z]{1,32}$/.test(v),
  symbol: (v) => [...v].length <= 5,
  character_string: (v) => /^[\x21-\x7e]{1,32}$/.test(v),
  time: (v) => /^(\d{4}年\d{1,2}月\d{1,2}日 )?\d{1,2}:\d{2}$/.test(v) || /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(v),
  date: (v) => /^\d{4}年\d{1,2}月\d{1,2}日( \d{1,2}:\d{2})?$/.test(v) || /^\d{4}-\d{2}-\d{2}$/.test(v),
  amount: (v) => /^[¥$€£]?\d{1,10}(\.\d{1,2})?元?$/.test(v),
  phone_number: (v) => /^[0-9+\-() ]{1,17}$/.test(v),
  car_number: (v) => [...v].length <= 8,
  name: (v) => [...v].length <= 10 || /^[A-Za-z ]{1,20}$/.test(v),
  phrase: (v) => /^\p{Script=Han}{1,5}$/u.test(v),
};

export async function startFakeWechatApi(options: { appId?: string; secret?: string; templates: string[] }): Promise<FakeWechatApi> {
  const appId = options.appId ?? `wx${crypto.randomBytes(8).toString('hex')}`;
  const secret = options.secret ?? crypto.randomBytes(16).toString('hex');
  const templates = new Set(options.templates);
  const sent: SentMessage[] = [];
  const requests: FakeWechatApi['requests'] = [];
  const codes = new Map<string, string>();
  const usedCodes = new Set<string>();
  const openids = new Set<string>();
  const quota = new Map<string, number>();
  const tokens = new Map<string, { expired: boolean }>();
  let stable: string | null = null;
  let issued = 0;
  const troubles: Trouble[] = [];
  const sockets = new Set<import('node:net').Socket>();

  const issue = () => {
    const token = `ACCESS_${crypto.randomBytes(24).toString('hex')}`;
    tokens.set(token, { expired: false });
    issued += 1;
    return token;
  };
  const credentialsError = (appid: unknown, key: unknown) =>
    appid !== appId ? { errcode: 40013, errmsg: 'invalid appid' } : key !== secret ? { errcode: 40125, errmsg: 'invalid appsecret' } : null;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://localhost');
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = undefined;
      }
      requests.push({ method: req.method!, path: url.pathname, query: Object.fromEntries(url.searchParams), body });
      // WeChat labels its JSON text/plain.
      const reply = (payload: unknown, status = 200) => {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(JSON.stringify(payload));
      };
      const q = Object.fromEntries(url.searchParams);
      if (req.method === 'GET' && url.pathname === '/sns/jscode2session') {
        const bad = credentialsError(q.appid, q.secret);
        if (bad) return reply(bad);
        if (q.grant_type !== 'authorization_code') return reply({ errcode: 40002, errmsg: 'invalid grant_type' });
        if (usedCodes.has(q.js_code)) return reply({ errcode: 40163, errmsg: 'code been used' });
        const openid = codes.get(q.js_code);
        if (!openid) return reply({ errcode: 40029, errmsg: 'invalid code' });
        usedCodes.add(q.js_code);
        return reply({ openid, session_key: crypto.randomBytes(16).toString('base64') });
      }
      if (req.method === 'GET' && url.pathname === '/cgi-bin/token') {
        const bad = credentialsError(q.appid, q.secret);
        if (bad) return reply(bad);
        if (q.grant_type !== 'client_credential') return reply({ errcode: 40002, errmsg: 'invalid grant_type' });
        return reply({ access_token: issue(), expires_in: 7200 });
      }
      if (req.method === 'POST' && url.pathname === '/cgi-bin/stable_token') {
        if (!body) return reply({ errcode: 47001, errmsg: 'data format error' });
        const bad = credentialsError(body.appid, body.secret);
        if (bad) return reply(bad);
        if (body.grant_type !== 'client_credential') return reply({ errcode: 40002, errmsg: 'invalid grant_type' });
        if (body.force_refresh === true || !stable || tokens.get(stable)?.expired) stable = issue();
        return reply({ access_token: stable, expires_in: 7200 });
      }
      if (req.method === 'POST' && url.pathname === '/cgi-bin/message/subscribe/send') {
        const token = q.access_token;
        if (!token) return reply({ errcode: 41001, errmsg: 'access_token missing' });
        const known = tokens.get(token);
        if (!known) return reply({ errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
        if (known.expired) return reply({ errcode: 42001, errmsg: 'access_token expired' });
        const trouble = troubles.shift();
        if (trouble && 'status' in trouble) return reply({ errcode: -1, errmsg: 'system error' }, trouble.status);
        if (trouble && 'errcode' in trouble) return reply({ errcode: trouble.errcode, errmsg: trouble.errmsg ?? 'scripted' });
        if (!body || typeof body.touser !== 'string') return reply({ errcode: 47001, errmsg: 'data format error' });
        if (!openids.has(body.touser)) return reply({ errcode: 40003, errmsg: 'invalid openid' });
        if (!templates.has(body.template_id)) return reply({ errcode: 40037, errmsg: 'invalid template_id' });
        if (body.miniprogram_state !== undefined && !['formal', 'trial', 'developer'].includes(body.miniprogram_state)) {
          return reply({ errcode: 47003, errmsg: 'argument invalid! miniprogram_state' });
        }
        if (body.lang !== undefined && !['zh_CN', 'en_US', 'zh_HK', 'zh_TW'].includes(body.lang)) return reply({ errcode: 47003, errmsg: 'argument invalid! lang' });
        for (const [key, entry] of Object.entries((body.data ?? {}) as Record<string, { value?: unknown }>)) {
          const rule = VALUE_RULES[key.replace(/[0-9]+$/, '')];
          const value = entry?.value;
          if (!rule || typeof value !== 'string' || !value || !rule(value)) {
            return reply({ errcode: 47003, errmsg: `argument invalid! data.${key}.value invalid` });
          }
        }
        const k = `${body.touser}|${body.template_id}`;
        const left = quota.get(k) ?? 0;
        if (left < 1) return reply({ errcode: 43101, errmsg: 'user refuse to accept the msg' });
        quota.set(k, left - 1);
        sent.push({ ...body, at: new Date() });
        const answer = { errcode: 0, errmsg: 'ok', msgid: crypto.randomInt(1e9) };
        if (trouble && 'hangMs' in trouble) {
          setTimeout(() => reply(answer), trouble.hangMs);
          return;
        }
        return reply(answer);
      }
      return reply({ errcode: 404, errmsg: 'not found' }, 404);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    appId,
    secret,
    sent,
    requests,
    code(openid = `o${crypto.randomBytes(14).toString('base64url').slice(0, 27)}`) {
      const code = `0${crypto.randomBytes(15).toString('hex')}`;
      codes.set(code, openid);
      openids.add(openid);
      return code;
    },
    user() {
      const openid = `o${crypto.randomBytes(14).toString('base64url').slice(0, 27)}`;
      openids.add(openid);
      return openid;
    },
    accept(openid, templateId, n = 1) {
      const k = `${openid}|${templateId}`;
      quota.set(k, (quota.get(k) ?? 0) + n);
    },
    acceptances: (openid, templateId) => quota.get(`${openid}|${templateId}`) ?? 0,
    failNext: (...list) => void troubles.push(...list),
    expireTokens() {
      for (const state of tokens.values()) state.expired = true;
    },
    tokensIssued: () => issued,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
