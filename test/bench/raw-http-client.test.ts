import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  RawHttpConnection,
  RequestTimeoutError,
  requestBytes,
} from "../../bench/lib/raw-http-client";

let server: Server;
let port: number;
const seen: Array<{
  method?: string;
  url?: string;
  key?: string;
  body: string;
}> = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      seen.push({
        method: request.method,
        url: request.url,
        key: request.headers["idempotency-key"] as string | undefined,
        body,
      });
      if (request.url === "/chunked") {
        response.writeHead(201, { "content-type": "text/plain" });
        response.write("part one, ");
        setTimeout(() => response.end("part two"), 5);
      } else if (request.url === "/close") {
        response.writeHead(503, { connection: "close" });
        response.end("bye");
      } else if (request.url === "/slow") {
        setTimeout(() => response.end("late"), 500);
      } else {
        response.writeHead(202, { "content-type": "application/json" });
        response.end(JSON.stringify({ echo: body }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function request(path: string, body?: string, key?: string): Buffer {
  const headers: Record<string, string> = { accept: "application/json" };
  if (key) headers["idempotency-key"] = key;
  return requestBytes(
    body ? "POST" : "GET",
    path,
    `127.0.0.1:${port}`,
    headers,
    body ? Buffer.from(body) : undefined,
  );
}

describe("RawHttpConnection", () => {
  test("reuses one socket for several requests", async () => {
    const connection = new RawHttpConnection("127.0.0.1", port);
    const first = await connection.send(request("/orders", '{"a":1}', "k-1"));
    const second = await connection.send(request("/orders", "{}", "k-2"));
    connection.close();

    expect(first.status).toBe(202);
    expect(JSON.parse(first.body.toString())).toEqual({ echo: '{"a":1}' });
    expect(second.status).toBe(202);
    expect(seen.slice(-2).map((entry) => entry.key)).toEqual(["k-1", "k-2"]);
  });

  test("decodes a chunked body", async () => {
    const connection = new RawHttpConnection("127.0.0.1", port);
    const response = await connection.send(request("/chunked"));
    connection.close();

    expect(response.status).toBe(201);
    expect(response.body.toString()).toBe("part one, part two");
  });

  test("reconnects after Connection: close", async () => {
    const connection = new RawHttpConnection("127.0.0.1", port);
    const closed = await connection.send(request("/close"));
    const next = await connection.send(request("/orders", "{}"));
    connection.close();

    expect(closed.status).toBe(503);
    expect(closed.body.toString()).toBe("bye");
    expect(next.status).toBe(202);
  });

  test("expires a request past its deadline", async () => {
    const connection = new RawHttpConnection("127.0.0.1", port);
    const pending = connection.send(request("/slow"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const expired = connection.expireBefore(performance.now());

    expect(expired).toBe(true);
    await expect(pending).rejects.toBeInstanceOf(RequestTimeoutError);
    connection.close();
  });
});
