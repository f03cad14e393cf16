import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Starts `server` on a free port of 127.0.0.1 with a keep-alive timeout
 * longer than any load run, and returns its base URL.
 */
export async function listenOnLoopback(server: Server): Promise<string> {
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve()),
  );
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}
