/**
 * A fake Alipay gateway over real HTTP, for fault tests that need a slow or unreachable payment provider: the
 * payment sandbox's protocol implementation (AlipaySandbox: real RSA2 signatures, trades, refunds) served by an HTTP
 * server of the test's own behind a FaultProxy. The payment process runs in *live* mode against it (`env` gives it
 * the merchant keys and ALIPAY_GATEWAY), so its provider calls cross the network and can be delayed per method
 * (`proxy.delay(ms, /alipay\.trade\.refund/)`). `pay(orderString)` plays the shopper's app paying and Alipay
 * delivering its signed notification to the order string's notify_url.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { AlipaySandbox } from '../../../subgraphs/payment/providers/alipay-sandbox';
import { FaultProxy } from './proxy';

export class FakeAlipay {
  readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-alipay-'));
  readonly sandbox = new AlipaySandbox('2021000000fault01', this.dataDir);
  readonly proxy = new FaultProxy('alipay');
  /** Requests answered, by Alipay method name. */
  readonly calls: Record<string, number> = {};
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[key] = value;
      const answer = await this.sandbox.handle({ method: req.method ?? 'POST', url: req.url ?? '/', headers, body });
      const method = new URLSearchParams(body).get('method') ?? 'unknown';
      this.calls[method] = (this.calls[method] ?? 0) + 1;
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    await this.proxy.listen();
    this.proxy.retarget({ host: '127.0.0.1', port: (this.server.address() as AddressInfo).port });
    return this;
  }

  /** The payment process's environment for live Alipay through the proxy. */
  get env(): Record<string, string> {
    const app = this.sandbox.app(`${this.proxy.url}/gateway.do`);
    return { ALIPAY_APP_ID: app.appId, ALIPAY_PRIVATE_KEY: app.privateKey, ALIPAY_PUBLIC_KEY: app.alipayPublicKey, ALIPAY_GATEWAY: app.gateway };
  }

  /** The shopper pays the order string; Alipay's notification is POSTed to its notify_url. Returns the HTTP answer. */
  async pay(orderString: string): Promise<{ status: number; body: string }> {
    const paid = this.sandbox.pay(orderString);
    if (!paid) throw new Error('not an order string of this fake Alipay');
    const response = await fetch(paid.notifyUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: paid.body });
    return { status: response.status, body: await response.text() };
  }

  async close(): Promise<void> {
    await this.proxy.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
