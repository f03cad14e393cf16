import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gzipSync } from "node:zlib";
import {
  postJson,
  RequestTimeoutError,
  transportFor,
} from "../../src/providers/json-request";

type Handler = (
  request: IncomingMessage,
  body: string,
  response: ServerResponse,
) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
let connections: number;
const sockets = new Set<Socket>();

beforeEach(async () => {
  connections = 0;
  handler = (_request, _body, response) => response.end("{}");
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () =>
      handler(request, Buffer.concat(chunks).toString("utf8"), response),
    );
  });
  server.on("connection", (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve()),
  );
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function post(path: string, body = "{}", timeoutMs = 2_000) {
  const url = new URL(`${baseUrl}${path}`);
  return postJson(transportFor(url), url, body, {}, timeoutMs);
}

/** Runs `call` and returns what it rejected with. */
async function failureOf(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to reject");
}

describe("postJson", () => {
  test("sends JSON and reads the response", async () => {
    let received: { headers: IncomingMessage["headers"]; body: string } = {
      headers: {},
      body: "",
    };
    handler = (request, body, response) => {
      received = { headers: request.headers, body };
      response.writeHead(201, { "x-reply": "yes" });
      response.end('{"ok":true,"text":"订单"}');
    };
    const url = new URL(`${baseUrl}/v1/things`);

    const response = await postJson(
      transportFor(url),
      url,
      '{"name":"茶"}',
      { "Idempotency-Key": "key-1" },
      2_000,
    );

    expect(response.status).toBe(201);
    expect(response.headers["x-reply"]).toBe("yes");
    expect(response.text).toBe('{"ok":true,"text":"订单"}');
    expect(received.body).toBe('{"name":"茶"}');
    expect(received.headers["content-type"]).toBe("application/json");
    expect(received.headers["content-length"]).toBe(
      String(Buffer.byteLength('{"name":"茶"}')),
    );
    expect(received.headers["idempotency-key"]).toBe("key-1");
    expect(received.headers["accept-encoding"]).toBe("identity");
  });

  test("decodes a gzip body sent regardless", async () => {
    handler = (_request, _body, response) => {
      response.writeHead(200, { "content-encoding": "gzip" });
      response.end(gzipSync('{"compressed":true}'));
    };

    const response = await post("/");

    expect(response.text).toBe('{"compressed":true}');
  });

  test("rejects an unknown content coding", async () => {
    handler = (_request, _body, response) => {
      response.writeHead(200, { "content-encoding": "zstd-custom" });
      response.end("???");
    };

    const error = await failureOf(() => post("/"));

    expect((error as { code?: string }).code).toBe("ERR_CONTENT_CODING");
  });

  test("returns a redirect without following it", async () => {
    let requests = 0;
    handler = (_request, _body, response) => {
      requests += 1;
      response.writeHead(302, { location: "/elsewhere" });
      response.end();
    };

    const response = await post("/");

    expect(response.status).toBe(302);
    expect(requests).toBe(1);
  });

  test("times out on a body that stops", async () => {
    handler = (_request, _body, response) => {
      response.writeHead(200, { "content-length": "100" });
      response.write('{"partial":');
    };
    const started = Date.now();

    const error = await failureOf(() => post("/", "{}", 150));

    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect((error as Error).name).toBe("TimeoutError");
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  test("reports a reset connection by its code", async () => {
    handler = (request) => request.socket.destroy();

    const error = await failureOf(() => post("/"));

    expect((error as { code?: string }).code).toBe("ECONNRESET");
  });

  test("reports a refused connection by its code", async () => {
    const url = new URL(baseUrl);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();

    const error = await failureOf(() =>
      postJson(transportFor(url), url, "{}", {}, 2_000),
    );
    // afterEach closes `server`, so give it a running one again.
    server = createServer();
    await new Promise<void>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve()),
    );

    expect((error as { code?: string }).code).toBe("ECONNREFUSED");
  });

  test("reuses the connection for the next request", async () => {
    const url = new URL(`${baseUrl}/`);
    const transport = transportFor(url);

    await postJson(transport, url, "{}", {}, 2_000);
    await postJson(transport, url, "{}", {}, 2_000);
    await postJson(transport, url, "{}", {}, 2_000);

    expect(connections).toBe(1);
    transport.agent.destroy();
  });
});

describe("transportFor", () => {
  test("rejects a protocol other than http and https", () => {
    expect(() => transportFor(new URL("ftp://127.0.0.1/"))).toThrow(
      "unsupported protocol ftp:",
    );
  });

  test("uses https for an https URL", () => {
    const transport = transportFor(new URL("https://127.0.0.1/"));

    const agent = transport.agent as unknown as {
      keepAlive: boolean;
      protocol: string;
    };

    expect(agent.keepAlive).toBe(true);
    expect(agent.protocol).toBe("https:");
    transport.agent.destroy();
  });
});
