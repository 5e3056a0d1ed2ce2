/**
 * The embedded default: PGlite (Postgres compiled to WASM) with its data under `.data/`, served over the
 * Postgres wire protocol by pglite-socket, so the application code path (knex + pg) is exactly the one used
 * with a real PostgreSQL server.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { SessionQueue } from './pglite-session-queue';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/** A free TCP port on the host (pglite-socket reports the configured port, so port 0 cannot be used). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * @param dataDir where PGlite keeps its files; `memory://` for a throwaway database.
 * @param maxConnections at least the sum of the knex pools that will connect (pglite-socket defaults to 1).
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
  host?: string;
  maxConnections: number;
}): Promise<EmbeddedPostgres> {
  const host = options.host ?? '127.0.0.1';
  if (!options.dataDir.startsWith('memory://')) fs.mkdirSync(path.dirname(options.dataDir), { recursive: true });
  const db = await PGlite.create(options.dataDir);
  const port = options.port || (await freePort(host));
  const server = new PGLiteSocketServer({ db, port, host, maxConnections: options.maxConnections });
  // pglite-socket 0.2.x interleaves connections' extended-protocol messages on PGlite's one session
  // (electric-sql/pglite#1046); its queue is private, so swap in one that keeps a round trip together.
  (server as unknown as { queryQueue: SessionQueue }).queryQueue = new SessionQueue(db);
  await server.start();
  return {
    url: `postgres://postgres@${host}:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
