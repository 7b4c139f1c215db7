import type { Server } from 'node:http';
import type { Express } from 'express';

/** How long an idle client connection stays open: longer than the 60 s load balancers keep theirs. */
export const IDLE_CONNECTION_MS = 65_000;

/**
 * Listens on `port` of `host`. Clients and proxies keep a connection open between requests and send
 * the next one on it; a server that closes an idle connection first (Node's default is after 5 s)
 * races them, and a request sent just as it closes fails with ECONNRESET. So the server waits longer
 * than they do.
 */
export function listen(app: Express, port: number, host: string, onListening?: () => void): Server {
  const server = app.listen(port, host, onListening);
  server.keepAliveTimeout = IDLE_CONNECTION_MS;
  // Must outlast the keep-alive time, or a request arriving late on an idle connection is cut short.
  server.headersTimeout = IDLE_CONNECTION_MS + 1000;
  return server;
}
