/** @module listenOn: starts an HTTP server on a host and port (0: any free one) and says where it listens. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Listens on `host:port`; rejects when it cannot (port taken, no such interface). Resolves with the
 * port bound and the host as it goes in a URL (an IPv6 literal in brackets).
 * @example const { port, hostInUrl } = await listenOn(server, 0, '127.0.0.1')
 */
export async function listenOn(server: Server, port: number, host: string): Promise<{ port: number; hostInUrl: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { port: (server.address() as AddressInfo).port, hostInUrl: host.includes(':') ? `[${host}]` : host };
}
