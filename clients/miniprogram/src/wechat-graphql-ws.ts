/**
 * graphql-ws in a WeChat mini-program: mini-programs have no `WebSocket`, only `wx.connectSocket`, whose SocketTask
 * takes callbacks (`onOpen`, `onMessage`, …). `wechatWebSocket(wx)` wraps it into the small WebSocket-like class
 * graphql-ws's `createClient({ webSocketImpl })` needs. Copy this file into the mini-program (it has no imports);
 * usage in docs/subscriptions.md.
 */

/** The part of a SocketTask (wx.connectSocket's result) used here. */
export interface WxSocketTask {
  send(options: { data: string | ArrayBuffer; fail?: (res: { errMsg: string }) => void }): void;
  close(options: { code?: number; reason?: string }): void;
  onOpen(callback: (res: unknown) => void): void;
  onClose(callback: (res: { code: number; reason: string }) => void): void;
  onError(callback: (res: { errMsg: string }) => void): void;
  onMessage(callback: (res: { data: string | ArrayBuffer }) => void): void;
}

/** The part of `wx` used here. */
export interface WxSocketApi {
  connectSocket(options: {
    url: string;
    protocols?: string[];
    header?: Record<string, string>;
    fail?: (res: { errMsg: string }) => void;
  }): WxSocketTask;
}

/** What graphql-ws hands to `onclose` / reads from `onmessage`. */
interface CloseLike {
  code: number;
  reason: string;
  wasClean: boolean;
}

export function wechatWebSocket(wx: WxSocketApi) {
  return class WechatWebSocket {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSING = 2;
    static readonly CLOSED = 3;

    readyState = WechatWebSocket.CONNECTING;
    /** The sub-protocol asked for (the server answers graphql-transport-ws or refuses). */
    readonly protocol: string;
    onopen: ((event: unknown) => void) | null = null;
    onmessage: ((event: { data: string }) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;
    onclose: ((event: CloseLike) => void) | null = null;
    private readonly task: WxSocketTask;

    constructor(url: string, protocols?: string | string[]) {
      const list = protocols === undefined ? [] : Array.isArray(protocols) ? protocols : [protocols];
      this.protocol = list[0] ?? '';
      const closed = (code: number, reason: string) => {
        if (this.readyState === WechatWebSocket.CLOSED) return;
        this.readyState = WechatWebSocket.CLOSED;
        this.onclose?.({ code, reason, wasClean: code === 1000 });
      };
      this.task = wx.connectSocket({
        url,
        protocols: list,
        // The connection could not even start (bad URL, domain not allowed in the mini-program's settings).
        fail: (res) => {
          this.onerror?.(res);
          closed(1006, res.errMsg);
        },
      });
      this.task.onOpen(() => {
        this.readyState = WechatWebSocket.OPEN;
        this.onopen?.({});
      });
      this.task.onMessage(({ data }) => {
        // The router sends text frames; decode binary ones defensively.
        this.onmessage?.({ data: typeof data === 'string' ? data : new TextDecoder().decode(data) });
      });
      this.task.onError((res) => this.onerror?.(res));
      this.task.onClose(({ code, reason }) => closed(code, reason));
    }

    send(data: string) {
      this.task.send({ data, fail: (res) => this.onerror?.(res) });
    }

    close(code?: number, reason?: string) {
      if (this.readyState === WechatWebSocket.CLOSING || this.readyState === WechatWebSocket.CLOSED) return;
      this.readyState = WechatWebSocket.CLOSING;
      this.task.close({ code, reason });
    }
  };
}
