/**
 * Hostile HTTP requests through the emulator's real HTTP server: body size
 * limits of the function and of the emulator, and random requests that
 * must never get a 5xx or store anything.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { MAX_BODY_BYTES } from "../../src/handlers/http-guard";
import { MAX_REQUEST_BYTES } from "../../emulator/http/trigger-server";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { SAMPLE_ORDER } from "../helpers/scf-events";
import { bodyArb } from "./arbitraries";
import { orderUrls } from "./emulator-routes";

let emulator: TestEmulator;
let orders: Database.Database | undefined;

beforeAll(async () => {
  emulator = await startTestEmulator();
}, 60_000);

afterAll(async () => {
  orders?.close();
  await emulator?.stop();
});

/** Counts order and outbox rows in the functions' SQLite file. */
function storedRows(): { orders: number; outbox: number } {
  orders ??= new Database(join(emulator.dataDir, "orders.db"), {
    readonly: true,
    fileMustExist: true,
  });
  const count = (table: string) =>
    (
      orders?.prepare(`SELECT count(*) AS n FROM ${table}`).get() as {
        n: number;
      }
    ).n;
  return { orders: count("orders"), outbox: count("outbox") };
}

async function post(
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  body: Record<string, unknown>;
  requestId: string | null;
}> {
  const response = await fetch(orderUrls(emulator).create, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    body: JSON.parse(text) as Record<string, unknown>,
    requestId: response.headers.get("x-request-id"),
  };
}

/**
 * Builds a valid order JSON padded in line2 to `bytes` bytes of UTF-8, or
 * up to 3 more when `character` takes several bytes.
 */
function orderOfSize(bytes: number, character = "a"): string {
  const order = structuredClone(SAMPLE_ORDER) as Record<string, unknown>;
  const address = order.shippingAddress as Record<string, unknown>;
  address.line2 = "";
  const frame = Buffer.byteLength(JSON.stringify(order));
  address.line2 = character.repeat(
    Math.ceil((bytes - frame) / Buffer.byteLength(character)),
  );
  return JSON.stringify(order);
}

describe("request size limits over HTTP", () => {
  test("function returns 413 past 64 KiB", async () => {
    // The first request starts create-order, which opens orders.db.
    await post("{}");
    const before = storedRows();

    for (const character of ["a", "\u4e2d"]) {
      const body = orderOfSize(MAX_BODY_BYTES + 1, character);
      const reply = await post(body, { "idempotency-key": randomUUID() });

      expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_BODY_BYTES);
      expect(reply.status).toBe(413);
      expect(reply.body.error).toBe("payload_too_large");
      expect(reply.body.message).toBe(
        `request body exceeds ${MAX_BODY_BYTES} bytes`,
      );
      // The function sent this reply, so it carries the request id.
      expect(reply.requestId).not.toBeNull();
    }
    expect(storedRows()).toEqual(before);
  });

  test("emulator returns 413 past 6 MiB", async () => {
    const before = storedRows();
    const body = Buffer.alloc(MAX_REQUEST_BYTES + 1, "a");

    const reply = await post(body, { "idempotency-key": randomUUID() });

    expect(reply.status).toBe(413);
    expect(reply.body.error).toBe("payload_too_large");
    expect(reply.body.message).toBe(
      `request exceeds ${MAX_REQUEST_BYTES} bytes`,
    );
    expect(storedRows()).toEqual(before);
  });

  test("emulator accepts exactly 6 MiB for the function", async () => {
    const body = Buffer.alloc(MAX_REQUEST_BYTES, "a");
    const reply = await post(body);
    // The function, not the emulator, rejects it: its own limit is lower.
    expect(reply.status).toBe(413);
    expect(reply.body.message).toBe(
      `request body exceeds ${MAX_BODY_BYTES} bytes`,
    );
  });
});

describe("random requests over HTTP", () => {
  const headerArb = fc.dictionary(
    fc
      .stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/)
      .filter(
        (name) =>
          !/^(content-length|transfer-encoding|connection|host|expect|upgrade|keep-alive|te|trailer)$/i.test(
            name,
          ),
      ),
    fc.stringMatching(/^[\x21-\x7e]{1,40}$/),
    { maxKeys: 4 },
  );

  test("no request gets a 5xx or stores a rejection", async () => {
    await fc.assert(
      fc.asyncProperty(bodyArb, headerArb, async (body, headers) => {
        const before = storedRows();

        const reply = await post(body, {
          ...headers,
          "idempotency-key": randomUUID(),
        });

        expect(reply.status).toBeGreaterThanOrEqual(200);
        expect(reply.status).toBeLessThan(500);
        const after = storedRows();
        const added = reply.status === 202 ? 1 : 0;
        expect(after.orders).toBe(before.orders + added);
        expect(after.outbox).toBe(before.outbox + added);
        if (reply.status >= 300) {
          expect(typeof reply.body.error).toBe("string");
          expect(typeof reply.body.message).toBe("string");
        }
      }),
      { numRuns: 60 },
    );
  });

  test("random order ids get 400 or 404", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .string({ minLength: 1, maxLength: 80 })
          // fetch resolves "." and ".." segments before sending.
          .filter((id) => id !== "." && id !== ".."),
        async (id) => {
          const response = await fetch(
            `${emulator.httpUrl}/orders/${encodeURIComponent(id)}`,
          );
          const body = (await response.json()) as Record<string, unknown>;
          expect([400, 404]).toContain(response.status);
          expect(typeof body.error).toBe("string");
        },
      ),
      { numRuns: 40 },
    );
  });
});
