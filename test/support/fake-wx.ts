/**
 * A fake `wx` whose `connectSocket` opens a real `ws` WebSocket (to the real router) and exposes it the way a
 * mini-program's SocketTask does: callbacks `onOpen`/`onMessage`/`onClose`/`onError`, `send({ data })`,
 * `close({ code, reason })`. `getStorageSync` reads from a plain map (where a mini-program keeps its token).
 */
import WebSocket from 'ws';
import type { WxSocketApi, WxSocketTask } from '../../clients/wechat-graphql-ws';

export interface FakeWx extends WxSocketApi {
  storage: Map<string, unknown>;
  getStorageSync(key: string): unknown;
  /** Every socket opened, for assertions. */
  sockets: WebSocket[];
}

export function fakeWx(): FakeWx {
  const sockets: WebSocket[] = [];
  const storage = new Map<string, unknown>();
  return {
    storage,
    sockets,
    getStorageSync: (key) => storage.get(key) ?? '',
    connectSocket({ url, protocols }): WxSocketTask {
      const socket = new WebSocket(url, protocols);
      sockets.push(socket);
      return {
        send: ({ data }) => socket.send(data),
        close: ({ code, reason }) => socket.close(code, reason),
        onOpen: (callback) => socket.on('open', () => callback({ header: {}, profile: {} })),
        onMessage: (callback) =>
          socket.on('message', (data: Buffer, isBinary: boolean) =>
            callback({ data: isBinary ? new Uint8Array(data).buffer : data.toString('utf8') }),
          ),
        onClose: (callback) => socket.on('close', (code: number, reason: Buffer) => callback({ code, reason: reason.toString() })),
        onError: (callback) => socket.on('error', (error: Error) => callback({ errMsg: `connectSocket:fail ${error.message}` })),
      };
    },
  };
}
