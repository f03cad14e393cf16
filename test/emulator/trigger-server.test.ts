import { orderIdForKey } from "../helpers/orders-db";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import Database from "better-sqlite3";
import pino from "pino";
import { MAX_REQUEST_BYTES } from "../../emulator/http/trigger-server";
import {
  startTestEmulator,
  type TestEmulator,
  waitFor,
} from "../helpers/emulator";
import { orderRequest } from "../helpers/orders";
import { postOrdersHead, RawConnection } from "./raw-http";

jest.setTimeout(60_000);

/** pino's numeric levels. */
const DEBUG = 20;
const WARN = 40;

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

const logs: LogLine[] = [];
const logStream = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    for (const line of chunk.toString("utf8").split("\n"))
      if (line.trim()) logs.push(JSON.parse(line) as LogLine);
    callback();
  },
});

let emulator: TestEmulator;
let port: number;

beforeAll(async () => {
  emulator = await startTestEmulator({
    logger: pino({ level: "debug" }, logStream),
  });
  port = Number(new URL(emulator.httpUrl).port);
});

afterAll(async () => {
  await emulator?.stop();
});

function countOrders(): number {
  const db = new Database(join(emulator.dataDir, "orders.db"), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    return (
      db.prepare("SELECT count(*) AS n FROM orders").get() as { n: number }
    ).n;
  } finally {
    db.close();
  }
}

/**
 * Returns the largest receive plus the largest send buffer that Linux's TCP
 * autotuning gives a socket (tcp_rmem and tcp_wmem), or 16 MB elsewhere.
 */
function tcpBufferMaxima(): number {
  try {
    const maximum = (name: string) =>
      Number(
        readFileSync(`/proc/sys/net/ipv4/${name}`, "utf8")
          .trim()
          .split(/\s+/)[2],
      );
    return maximum("tcp_rmem") + maximum("tcp_wmem");
  } catch {
    return 16 * 1024 * 1024;
  }
}

function linesAtOrAbove(level: number): LogLine[] {
  return logs.filter((line) => line.level >= level);
}

// Runs first: the first create-order invocation is a cold start, which
// keeps it running for long enough to disconnect in the middle of it.
describe("client that disconnects during the invocation", () => {
  test("invocation runs once and is logged at debug", async () => {
    const key = randomUUID();
    const body = JSON.stringify(orderRequest());
    const pool = emulator.pools.get("create-order");
    expect(pool?.load).toBe(0);

    const connection = await RawConnection.open(port);
    await connection.write(
      postOrdersHead(Buffer.byteLength(body), { "Idempotency-Key": key }) +
        body,
    );
    await waitFor(
      async () => pool?.load ?? 0,
      (load) => load > 0,
      10_000,
    );
    expect(connection.received().length).toBe(0);
    connection.destroy();

    const dropped = await waitFor(
      async () =>
        logs.filter((line) =>
          line.msg.startsWith("connection closed before the response"),
        ),
      (lines) => lines.length > 0,
    );
    expect(dropped).toHaveLength(1);
    expect(dropped[0]?.level).toBe(DEBUG);
    expect(dropped[0]?.ok).toBe(true);

    const orderId = orderIdForKey(emulator.dataDir, key);
    expect(orderId).toMatch(/^ord_/);
    expect(countOrders()).toBe(1);
    const accepted = emulator
      .functionLogs()
      .split("\n")
      .filter(
        (line) =>
          line.includes('"order accepted"') && line.includes(String(orderId)),
      );
    expect(accepted).toHaveLength(1);
    expect(linesAtOrAbove(WARN)).toEqual([]);

    // The client can send the request again and gets the stored order.
    const replay = await fetch(`${emulator.httpUrl}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": key },
      body,
    });
    expect(replay.status).toBe(202);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(((await replay.json()) as { orderId: string }).orderId).toBe(
      orderId,
    );
    expect(countOrders()).toBe(1);
  });
});

describe("client that disconnects mid-body", () => {
  test("is logged at debug and invokes nothing", async () => {
    const ordersBefore = countOrders();
    const logsBefore = logs.length;
    const clients = 20;
    for (let index = 0; index < clients; index += 1) {
      const connection = await RawConnection.open(port);
      await connection.write(`${postOrdersHead(1000)}{"customerId":"c-1`);
      connection.destroy();
    }

    const aborted = await waitFor(
      async () =>
        logs
          .slice(logsBefore)
          .filter((line) =>
            line.msg.startsWith(
              "client closed the connection before the request body ended",
            ),
          ),
      (lines) => lines.length >= clients,
    );
    expect(aborted).toHaveLength(clients);
    for (const line of aborted) expect(line.level).toBe(DEBUG);
    expect(linesAtOrAbove(WARN)).toEqual([]);
    expect(countOrders()).toBe(ordersBefore);
  });
});

describe("requests Node's HTTP parser rejects", () => {
  const cases: Array<{
    name: string;
    request: string | Buffer;
    status: number;
    error: string;
  }> = [
    {
      name: "unknown method",
      request: "BREW /orders HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
      status: 400,
      error: "bad_request",
    },
    {
      name: "both Content-Length and Transfer-Encoding",
      request:
        "POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n" +
        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      status: 400,
      error: "bad_request",
    },
    {
      name: "TLS handshake bytes",
      request: Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01]),
      status: 400,
      error: "bad_request",
    },
    {
      name: "text that is not HTTP",
      request: "hello there\r\n\r\n",
      status: 400,
      error: "bad_request",
    },
    {
      name: "headers over the size limit",
      request: `GET /orders/ord_1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${"a".repeat(20_000)}\r\n\r\n`,
      status: 431,
      error: "request_header_fields_too_large",
    },
  ];

  test.each(cases)("$name gets a JSON error", async (testCase) => {
    const connection = await RawConnection.open(port);
    await connection.write(testCase.request);

    const response = await connection.response();
    expect(response.status).toBe(testCase.status);
    expect(response.headers["content-type"]).toBe(
      "application/json; charset=utf-8",
    );
    expect(response.headers.connection).toBe("close");
    const body = JSON.parse(response.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["error", "message"]);
    expect(body.error).toBe(testCase.error);
    expect(typeof body.message).toBe("string");
    expect((body.message as string).length).toBeGreaterThan(0);
    await connection.waitClosed();
  });

  test("message names the parser's reason", async () => {
    const connection = await RawConnection.open(port);
    await connection.write("BREW /orders HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

    const body = JSON.parse((await connection.response()).body) as {
      message: string;
    };
    expect(body.message).toBe(
      "malformed HTTP request: Invalid method encountered",
    );
  });
});

describe("body over the size limit", () => {
  test("Content-Length over the limit gets 413 before any body", async () => {
    const connection = await RawConnection.open(port);
    await connection.write(postOrdersHead(64 * 1024 * 1024));

    const response = await connection.response(2000);
    expect(response.status).toBe(413);
    expect(response.headers.connection).toBe("close");
    expect(JSON.parse(response.body)).toEqual({
      error: "payload_too_large",
      message: `request exceeds ${MAX_REQUEST_BYTES} bytes`,
    });
    await connection.waitClosed(2000);
  });

  test("chunked body stops being read past the limit", async () => {
    // Bytes in flight when the server stops reading can fill both kernel
    // socket buffers, so a body of twice the limit plus both buffers cannot be
    // in flight when the server responds.
    const bound = MAX_REQUEST_BYTES + tcpBufferMaxima();
    const total = 2 * bound;
    const chunk = Buffer.alloc(64 * 1024, "a");
    const frame = Buffer.concat([
      Buffer.from(`${chunk.length.toString(16)}\r\n`),
      chunk,
      Buffer.from("\r\n"),
    ]);
    const connection = await RawConnection.open(port);
    await connection.write(
      "POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
    );

    // Sends as fast as the server reads until it responds or closes.
    let sent = 0;
    while (
      sent < total &&
      !connection.closed &&
      connection.received().length === 0
    ) {
      try {
        await connection.write(frame);
      } catch {
        break;
      }
      sent += chunk.length;
    }
    const sentWhenAnswered = sent;

    const response = await connection.response(2000);
    expect(response.status).toBe(413);
    expect(response.headers.connection).toBe("close");
    expect(JSON.parse(response.body)).toEqual({
      error: "payload_too_large",
      message: `request exceeds ${MAX_REQUEST_BYTES} bytes`,
    });
    expect(sentWhenAnswered).toBeLessThan(bound);
    await connection.waitClosed(2000);
  });

  test("admin route gets 413 past the limit too", async () => {
    const connection = await RawConnection.open(port);
    await connection.write(
      "POST /_emulator/faults HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
        `Content-Length: ${MAX_REQUEST_BYTES + 1}\r\n\r\n`,
    );

    const response = await connection.response(2000);
    expect(response.status).toBe(413);
    expect(response.headers.connection).toBe("close");
    await connection.waitClosed(2000);
  });
});
