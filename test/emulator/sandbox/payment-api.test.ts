import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  startPaymentSandbox,
  type SandboxServer,
} from "../../../emulator/sandbox/payment-api";

const API_KEY = "sk_test_payment_sandbox";

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

let dir: string;
let dbPath: string;
let sandbox: SandboxServer;
let keyCounter = 0;

function freshKey(): string {
  keyCounter += 1;
  return `key-${process.pid}-${keyCounter}`;
}

async function send(
  method: string,
  path: string,
  options: {
    body?: unknown;
    rawBody?: string;
    key?: string;
    apiKey?: string | null;
  } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
  };
  const apiKey = options.apiKey === undefined ? API_KEY : options.apiKey;
  if (apiKey !== null) headers.Authorization = `Bearer ${apiKey}`;
  if (options.key) headers["Idempotency-Key"] = options.key;
  const body =
    options.rawBody ??
    (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers,
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}

function charge(
  body: Record<string, unknown>,
  key = freshKey(),
): Promise<Reply> {
  return send("POST", "/v1/charges", { body, key });
}

const okCharge = {
  orderId: "ord_1",
  amount: 1999,
  currency: "CNY",
  token: "tok_ok",
};

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "payment-sandbox-"));
  dbPath = join(dir, "payment.db");
  sandbox = await startPaymentSandbox({ port: 0, dbPath, apiKey: API_KEY });
});

afterEach(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("payment sandbox", () => {
  test("health check", async () => {
    const reply = await send("GET", "/health", { apiKey: null });
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe("ok");
  });

  test("binds to loopback", () => {
    expect(sandbox.url).toBe(`http://127.0.0.1:${sandbox.port}`);
  });

  test("tok_ok creates a charge", async () => {
    const reply = await charge(okCharge);
    expect(reply.status).toBe(201);
    expect(reply.body.id).toMatch(/^ch_[0-9a-f]{24}$/);
    expect(reply.body.status).toBe("succeeded");
    expect(reply.body.orderId).toBe("ord_1");
    expect(reply.body.amount).toBe(1999);
    expect(reply.body.currency).toBe("CNY");
    expect(Number.isNaN(Date.parse(reply.body.createdAt))).toBe(false);
  });

  test("same key and body replays the stored charge", async () => {
    const key = freshKey();
    const first = await charge(okCharge, key);
    const second = await charge(okCharge, key);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    const ledger = await send("GET", "/v1/ledger");
    expect(ledger.body.charges).toHaveLength(1);
  });

  test("replay ignores the order of JSON keys", async () => {
    const key = freshKey();
    await charge(okCharge, key);
    const reordered = {
      token: "tok_ok",
      currency: "CNY",
      amount: 1999,
      orderId: "ord_1",
    };
    const second = await charge(reordered, key);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
  });

  test("same key with a different body is 409", async () => {
    const key = freshKey();
    await charge(okCharge, key);
    const reply = await charge({ ...okCharge, amount: 2000 }, key);
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe("idempotency_key_reused");
    const ledger = await send("GET", "/v1/ledger");
    expect(ledger.body.charges).toHaveLength(1);
  });

  test("same key on another endpoint is 409", async () => {
    const key = freshKey();
    const created = await charge(okCharge, key);
    const reply = await send("POST", "/v1/refunds", {
      body: { chargeId: created.body.id },
      key,
    });
    expect(reply.status).toBe(409);
  });

  test("tok_declined is 402 card_declined and stored", async () => {
    const key = freshKey();
    const first = await charge({ ...okCharge, token: "tok_declined" }, key);
    const second = await charge({ ...okCharge, token: "tok_declined" }, key);
    expect(first.status).toBe(402);
    expect(first.body.error.type).toBe("card_error");
    expect(first.body.error.code).toBe("card_declined");
    expect(second.status).toBe(402);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    const ledger = await send("GET", "/v1/ledger");
    expect(ledger.body.charges).toHaveLength(0);
  });

  test("unknown token is 402 invalid_token", async () => {
    const reply = await charge({ ...okCharge, token: "tok_nope" });
    expect(reply.status).toBe(402);
    expect(reply.body.error.code).toBe("invalid_token");
  });

  test("tok_flaky fails once per key, then succeeds", async () => {
    const key = freshKey();
    const flaky = { ...okCharge, token: "tok_flaky" };
    const first = await charge(flaky, key);
    const second = await charge(flaky, key);
    const third = await charge(flaky, key);
    expect(first.status).toBe(503);
    expect(first.body.error.type).toBe("api_error");
    expect(first.body.error.code).toBe("temporarily_unavailable");
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBeNull();
    expect(third.body.id).toBe(second.body.id);
    expect(third.headers.get("idempotent-replayed")).toBe("true");
    const ledger = await send("GET", "/v1/ledger");
    expect(ledger.body.charges).toHaveLength(1);
  });

  test("tok_flaky fails again under a new key", async () => {
    const flaky = { ...okCharge, token: "tok_flaky" };
    await charge(flaky);
    const other = await charge(flaky);
    expect(other.status).toBe(503);
  });

  test("missing Idempotency-Key is 400", async () => {
    const reply = await send("POST", "/v1/charges", { body: okCharge });
    expect(reply.status).toBe(400);
    expect(reply.body.error.param).toBe("Idempotency-Key");
  });

  test("wrong API key is 401", async () => {
    const reply = await send("POST", "/v1/charges", {
      body: okCharge,
      key: freshKey(),
      apiKey: "sk_wrong",
    });
    expect(reply.status).toBe(401);
    expect(reply.body.error.code).toBe("invalid_api_key");
  });

  test("missing API key is 401", async () => {
    const reply = await send("GET", "/v1/ledger", { apiKey: null });
    expect(reply.status).toBe(401);
  });

  test.each([
    ["negative amount", { ...okCharge, amount: -5 }, "amount"],
    ["fractional amount", { ...okCharge, amount: 10.5 }, "amount"],
    ["4-letter currency", { ...okCharge, currency: "EURO" }, "currency"],
    ["empty orderId", { ...okCharge, orderId: "" }, "orderId"],
    [
      "missing token",
      { orderId: "ord_1", amount: 1, currency: "CNY" },
      "token",
    ],
    ["unknown field", { ...okCharge, extra: true }, "extra"],
  ])("charge with %s is 400", async (_case, body, field) => {
    const reply = await charge(body);
    expect(reply.status).toBe(400);
    expect(reply.body.error.param).toBe(field);
    expect(reply.body.error.message).toContain(field);
  });

  test("validation errors are not stored", async () => {
    const key = freshKey();
    await charge({ ...okCharge, amount: -5 }, key);
    const retry = await charge(okCharge, key);
    expect(retry.status).toBe(201);
  });

  test("invalid JSON is 400", async () => {
    const reply = await send("POST", "/v1/charges", {
      rawBody: "{nope",
      key: freshKey(),
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("invalid_json");
  });

  test("body over 64 KB is 413", async () => {
    const body = { ...okCharge, orderId: "x".repeat(70 * 1024) };
    const reply = await charge(body);
    expect(reply.status).toBe(413);
  });

  test("full refund", async () => {
    const created = await charge(okCharge);
    const reply = await send("POST", "/v1/refunds", {
      body: { chargeId: created.body.id },
      key: freshKey(),
    });
    expect(reply.status).toBe(201);
    expect(reply.body.id).toMatch(/^re_/);
    expect(reply.body.chargeId).toBe(created.body.id);
    expect(reply.body.amount).toBe(1999);
    expect(reply.body.status).toBe("succeeded");
  });

  test("refund replay creates one refund", async () => {
    const created = await charge(okCharge);
    const key = freshKey();
    const body = { chargeId: created.body.id, amount: 500 };
    const first = await send("POST", "/v1/refunds", { body, key });
    const second = await send("POST", "/v1/refunds", { body, key });
    expect(second.body.id).toBe(first.body.id);
    const ledger = await send("GET", "/v1/ledger");
    expect(ledger.body.refunds).toHaveLength(1);
  });

  test("refund beyond the charge is 422", async () => {
    const created = await charge(okCharge);
    await send("POST", "/v1/refunds", {
      body: { chargeId: created.body.id, amount: 1500 },
      key: freshKey(),
    });
    const reply = await send("POST", "/v1/refunds", {
      body: { chargeId: created.body.id, amount: 500 },
      key: freshKey(),
    });
    expect(reply.status).toBe(422);
    expect(reply.body.error.code).toBe("amount_exceeds_refundable");
  });

  test("refund of a fully refunded charge is 422", async () => {
    const created = await charge(okCharge);
    await send("POST", "/v1/refunds", {
      body: { chargeId: created.body.id },
      key: freshKey(),
    });
    const reply = await send("POST", "/v1/refunds", {
      body: { chargeId: created.body.id },
      key: freshKey(),
    });
    expect(reply.status).toBe(422);
  });

  test("refund of an unknown charge is 404", async () => {
    const reply = await send("POST", "/v1/refunds", {
      body: { chargeId: "ch_missing" },
      key: freshKey(),
    });
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe("resource_missing");
  });

  test("ledger lists charges and refunds", async () => {
    const created = await charge(okCharge);
    await send("POST", "/v1/refunds", {
      body: { chargeId: created.body.id, amount: 100 },
      key: freshKey(),
    });
    const ledger = await send("GET", "/v1/ledger");
    expect(ledger.status).toBe(200);
    expect(ledger.body.charges.map((c: { id: string }) => c.id)).toEqual([
      created.body.id,
    ]);
    expect(ledger.body.refunds[0].amount).toBe(100);
  });

  test("ledger and keys survive a restart on the same file", async () => {
    const key = freshKey();
    const created = await charge(okCharge, key);
    await sandbox.close();
    sandbox = await startPaymentSandbox({ port: 0, dbPath, apiKey: API_KEY });
    const ledger = await send("GET", "/v1/ledger");
    const replay = await charge(okCharge, key);
    expect(ledger.body.charges).toHaveLength(1);
    expect(ledger.body.charges[0].id).toBe(created.body.id);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.id).toBe(created.body.id);
  });

  test("unknown route is 404", async () => {
    const reply = await send("GET", "/v1/nothing");
    expect(reply.status).toBe(404);
  });

  test("wrong method is 405 with Allow", async () => {
    const reply = await send("GET", "/v1/charges");
    expect(reply.status).toBe(405);
    expect(reply.headers.get("allow")).toBe("POST");
  });
});

describe("payment sandbox knobs", () => {
  test("control endpoint sets the error rate", async () => {
    const control = await send("POST", "/_control", {
      body: { errorRate: 1 },
      apiKey: null,
    });
    const reply = await charge(okCharge);
    expect(control.status).toBe(200);
    expect(control.body.knobs.errorRate).toBe(1);
    expect(reply.status).toBe(503);
    expect(reply.body.error.code).toBe("temporarily_unavailable");
  });

  test("injected 503 stores nothing", async () => {
    const key = freshKey();
    sandbox.setKnobs({ errorRate: 1 });
    await charge(okCharge, key);
    sandbox.setKnobs({ errorRate: 0 });
    const reply = await charge(okCharge, key);
    expect(reply.status).toBe(201);
    expect(reply.headers.get("idempotent-replayed")).toBeNull();
  });

  test("control endpoint rejects an out-of-range knob", async () => {
    const reply = await send("POST", "/_control", {
      body: { errorRate: 2 },
      apiKey: null,
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.param).toBe("errorRate");
  });

  test("control endpoint rejects an unknown knob", async () => {
    const reply = await send("POST", "/_control", {
      body: { speed: 2 },
      apiKey: null,
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.param).toBe("speed");
  });

  test("setKnobs rejects a negative latency", () => {
    expect(() => sandbox.setKnobs({ latencyMs: -1 })).toThrow();
  });

  test("rate limit answers 429 with Retry-After", async () => {
    sandbox.setKnobs({ rateLimitPerSecond: 1 });
    const first = await charge(okCharge);
    const second = await charge(okCharge);
    expect(first.status).toBe(201);
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toBe("1");
    expect(second.body.error.code).toBe("rate_limited");
  });

  test("rate limit comes before auth", async () => {
    sandbox.setKnobs({ rateLimitPerSecond: 1 });
    await charge(okCharge);
    const reply = await send("POST", "/v1/charges", {
      body: okCharge,
      key: freshKey(),
      apiKey: "sk_wrong",
    });
    expect(reply.status).toBe(429);
  });

  test("rate limit skips health checks", async () => {
    sandbox.setKnobs({ rateLimitPerSecond: 1 });
    await charge(okCharge);
    const reply = await send("GET", "/health");
    expect(reply.status).toBe(200);
  });

  test("latency delays the response", async () => {
    sandbox.setKnobs({ latencyMs: 120 });
    const started = Date.now();
    const reply = await charge(okCharge);
    expect(reply.status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  test("close ends requests waiting on latency", async () => {
    sandbox.setKnobs({ latencyMs: 10_000 });
    const pending = charge(okCharge).then(
      () => "answered",
      () => "failed",
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await sandbox.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await pending).toBe("failed");
    sandbox = await startPaymentSandbox({ port: 0, dbPath, apiKey: API_KEY });
  });
});
