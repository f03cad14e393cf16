import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import {
  startPaymentSandbox,
  type SandboxServer,
} from "../../emulator/sandbox/payment-api";
import { PermanentError, TransientError } from "../../src/errors";
import { createLogger } from "../../src/logging/logger";
import { PaymentClient } from "../../src/payments/payment-client";
import {
  backoffDelayMs,
  type ProviderClientOptions,
} from "../../src/providers/http-provider";

const API_KEY = "sk_test_payment_client_secret";

let dir: string;
let dbPath: string;
let sandbox: SandboxServer;
let logLines: string[];
let keyCounter = 0;

function freshKey(): string {
  keyCounter += 1;
  return `charge-key-${keyCounter}`;
}

function captureLogger() {
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      logLines.push(...String(chunk).split("\n").filter(Boolean));
      callback();
    },
  });
  return createLogger({ test: "payment-client" }, stream);
}

function retryLogs(): Array<{
  attempt: number;
  status?: number;
  error: string;
  msg: string;
}> {
  return logLines
    .map((line) => JSON.parse(line))
    .filter((entry) => entry.msg === "provider request failed; retrying");
}

function client(overrides: Partial<ProviderClientOptions> = {}): PaymentClient {
  return new PaymentClient({
    baseUrl: sandbox.url,
    apiKey: API_KEY,
    timeoutMs: 2_000,
    logger: captureLogger(),
    ...overrides,
  });
}

async function ledger(): Promise<{
  charges: Array<{ id: string }>;
  refunds: Array<{ id: string }>;
}> {
  const response = await fetch(`${sandbox.url}/v1/ledger`, {
    headers: { Authorization: `Bearer ${API_KEY}` },
  });
  return (await response.json()) as {
    charges: Array<{ id: string }>;
    refunds: Array<{ id: string }>;
  };
}

/** Runs `call` and returns what it threw. */
async function failureOf(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

const chargeInput = {
  orderId: "ord_1",
  amount: 2599,
  currency: "CNY",
  token: "tok_ok",
};

beforeEach(async () => {
  logLines = [];
  dir = mkdtempSync(join(tmpdir(), "payment-client-"));
  dbPath = join(dir, "payment.db");
  sandbox = await startPaymentSandbox({ port: 0, dbPath, apiKey: API_KEY });
});

afterEach(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("PaymentClient", () => {
  test("charge returns the charge", async () => {
    const charge = await client().charge({
      ...chargeInput,
      idempotencyKey: freshKey(),
    });
    expect(charge.id).toMatch(/^ch_/);
    expect(charge.status).toBe("succeeded");
    expect(charge.amount).toBe(2599);
    expect(charge.currency).toBe("CNY");
  });

  test("same key charges once", async () => {
    const payments = client();
    const key = freshKey();
    const first = await payments.charge({
      ...chargeInput,
      idempotencyKey: key,
    });
    const second = await payments.charge({
      ...chargeInput,
      idempotencyKey: key,
    });
    expect(second.id).toBe(first.id);
    expect((await ledger()).charges).toHaveLength(1);
  });

  test("tok_declined is PermanentError card_declined", async () => {
    const error = await failureOf(() =>
      client().charge({
        ...chargeInput,
        token: "tok_declined",
        idempotencyKey: freshKey(),
      }),
    );
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe("card_declined");
    expect((error as PermanentError).message).toContain(
      "the card was declined",
    );
    expect(retryLogs()).toHaveLength(0);
    expect((await ledger()).charges).toHaveLength(0);
  });

  test("unknown token is PermanentError invalid_token", async () => {
    const error = await failureOf(() =>
      client().charge({
        ...chargeInput,
        token: "tok_other",
        idempotencyKey: freshKey(),
      }),
    );
    expect((error as PermanentError).code).toBe("invalid_token");
  });

  test("tok_flaky is retried and charged once", async () => {
    const charge = await client().charge({
      ...chargeInput,
      token: "tok_flaky",
      idempotencyKey: freshKey(),
    });
    expect(charge.status).toBe("succeeded");
    expect((await ledger()).charges).toHaveLength(1);
    const retries = retryLogs();
    expect(retries).toHaveLength(1);
    expect(retries[0]?.attempt).toBe(1);
    expect(retries[0]?.status).toBe(503);
  });

  test("retry logs hold no API key or token", async () => {
    await client().charge({
      ...chargeInput,
      token: "tok_flaky",
      idempotencyKey: freshKey(),
    });
    const text = logLines.join("\n");
    expect(logLines.length).toBeGreaterThan(0);
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain("tok_flaky");
  });

  test("refund once per key", async () => {
    const payments = client();
    const charge = await payments.charge({
      ...chargeInput,
      idempotencyKey: freshKey(),
    });
    const key = freshKey();
    const refund = await payments.refund({
      chargeId: charge.id,
      amount: 2599,
      idempotencyKey: key,
    });
    const again = await payments.refund({
      chargeId: charge.id,
      amount: 2599,
      idempotencyKey: key,
    });
    expect(refund.id).toMatch(/^re_/);
    expect(refund.chargeId).toBe(charge.id);
    expect(refund.amount).toBe(2599);
    expect(refund.status).toBe("succeeded");
    expect(again.id).toBe(refund.id);
    expect((await ledger()).refunds).toHaveLength(1);
  });

  test("refund beyond the charge is PermanentError", async () => {
    const payments = client();
    const charge = await payments.charge({
      ...chargeInput,
      idempotencyKey: freshKey(),
    });
    const error = await failureOf(() =>
      payments.refund({
        chargeId: charge.id,
        amount: 9_999,
        idempotencyKey: freshKey(),
      }),
    );
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe("amount_exceeds_refundable");
  });

  test("refund of an unknown charge is PermanentError", async () => {
    const error = await failureOf(() =>
      client().refund({
        chargeId: "ch_missing",
        amount: 1,
        idempotencyKey: freshKey(),
      }),
    );
    expect((error as PermanentError).code).toBe("resource_missing");
  });

  test("key reuse with a different body is PermanentError 409", async () => {
    const payments = client();
    const key = freshKey();
    await payments.charge({ ...chargeInput, idempotencyKey: key });
    const error = await failureOf(() =>
      payments.charge({ ...chargeInput, amount: 1, idempotencyKey: key }),
    );
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe("idempotency_key_reused");
    expect((error as PermanentError).message).toContain("409");
    expect((await ledger()).charges).toHaveLength(1);
  });

  test("429 is retried after Retry-After", async () => {
    sandbox.setKnobs({ rateLimitPerSecond: 1 });
    const payments = client();
    await payments.charge({ ...chargeInput, idempotencyKey: freshKey() });
    const started = Date.now();
    const charge = await payments.charge({
      ...chargeInput,
      idempotencyKey: freshKey(),
    });
    const elapsedMs = Date.now() - started;
    expect(charge.status).toBe("succeeded");
    // Retry-After: 1 is honoured up to the 1 s cap.
    expect(elapsedMs).toBeGreaterThanOrEqual(950);
    expect(retryLogs()[0]?.status).toBe(429);
    sandbox.setKnobs({ rateLimitPerSecond: 0 });
    expect((await ledger()).charges).toHaveLength(2);
  });

  test("429 waits out the limit until the deadline", async () => {
    sandbox.setKnobs({ rateLimitPerSecond: 1 });
    const payments = client({ maxAttempts: 1 });
    await payments.charge({ ...chargeInput, idempotencyKey: freshKey() });
    const charge = await payments.charge({
      ...chargeInput,
      idempotencyKey: freshKey(),
      deadline: Date.now() + 5_000,
    });
    sandbox.setKnobs({ rateLimitPerSecond: 0 });

    expect(charge.status).toBe("succeeded");
    expect(retryLogs().length).toBeGreaterThanOrEqual(1);
    expect(retryLogs().every((entry) => entry.status === 429)).toBe(true);
  });

  test("429 without a deadline uses up attempts", async () => {
    sandbox.setKnobs({ rateLimitPerSecond: 1 });
    const payments = client({ maxAttempts: 1 });
    await payments.charge({ ...chargeInput, idempotencyKey: freshKey() });
    const error = await failureOf(() =>
      payments.charge({ ...chargeInput, idempotencyKey: freshKey() }),
    );
    sandbox.setKnobs({ rateLimitPerSecond: 0 });

    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).message).toContain("status 429");
  });

  test("latency above the timeout is TransientError", async () => {
    sandbox.setKnobs({ latencyMs: 300 });
    const payments = client({ timeoutMs: 40, maxAttempts: 3 });
    const error = await failureOf(() =>
      payments.charge({ ...chargeInput, idempotencyKey: freshKey() }),
    );
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).message).toContain(
      "payment POST /v1/charges",
    );
    expect((error as TransientError).message).toContain("after 3 attempt(s)");
    expect((error as TransientError).message).toContain(
      "timed out after 40 ms",
    );
    expect(retryLogs().map((entry) => entry.attempt)).toEqual([1, 2]);
  });

  test("persistent 503 is TransientError naming the status", async () => {
    sandbox.setKnobs({ errorRate: 1 });
    const error = await failureOf(() =>
      client({ maxAttempts: 2 }).charge({
        ...chargeInput,
        idempotencyKey: freshKey(),
      }),
    );
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).message).toContain(
      "status 503 temporarily_unavailable",
    );
    expect(retryLogs()).toHaveLength(1);
  });

  test("wrong API key is PermanentError without retries", async () => {
    const error = await failureOf(() =>
      client({ apiKey: "sk_wrong" }).charge({
        ...chargeInput,
        idempotencyKey: freshKey(),
      }),
    );
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe("invalid_api_key");
    expect(retryLogs()).toHaveLength(0);
  });

  test("invalid amount is PermanentError from a 400", async () => {
    const error = await failureOf(() =>
      client().charge({
        ...chargeInput,
        amount: -1,
        idempotencyKey: freshKey(),
      }),
    );
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe("parameter_invalid");
  });

  test("deadline stops retries early", async () => {
    sandbox.setKnobs({ latencyMs: 500 });
    const deadlineMs = Date.now() + 80;
    const started = Date.now();
    const error = await failureOf(() =>
      client({
        timeoutMs: 1_000,
        maxAttempts: 5,
        deadline: () => deadlineMs,
      }).charge({
        ...chargeInput,
        idempotencyKey: freshKey(),
      }),
    );
    expect(error).toBeInstanceOf(TransientError);
    expect(Date.now() - started).toBeLessThan(400);
    expect((error as TransientError).message).toContain("call deadline");
  });

  test("per-call deadline stops retries early", async () => {
    sandbox.setKnobs({ latencyMs: 500 });
    const started = Date.now();
    const error = await failureOf(() =>
      client({ timeoutMs: 1_000, maxAttempts: 5 }).charge({
        ...chargeInput,
        idempotencyKey: freshKey(),
        deadline: Date.now() + 80,
      }),
    );
    expect(error).toBeInstanceOf(TransientError);
    expect(Date.now() - started).toBeLessThan(400);
  });

  test("earlier of client and call deadline wins", async () => {
    const error = await failureOf(() =>
      client({ deadline: () => Date.now() + 60_000 }).charge({
        ...chargeInput,
        idempotencyKey: freshKey(),
        deadline: Date.now() - 1,
      }),
    );
    expect((error as TransientError).message).toContain("was not sent");
  });

  test("passed deadline sends nothing", async () => {
    const error = await failureOf(() =>
      client({ deadline: () => Date.now() - 1 }).charge({
        ...chargeInput,
        idempotencyKey: freshKey(),
      }),
    );
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).message).toContain("was not sent");
    expect((await ledger()).charges).toHaveLength(0);
  });

  test("refused connection is TransientError", async () => {
    const url = sandbox.url;
    await sandbox.close();
    const error = await failureOf(() =>
      client({ baseUrl: url, maxAttempts: 2 }).charge({
        ...chargeInput,
        idempotencyKey: freshKey(),
      }),
    );
    sandbox = await startPaymentSandbox({ port: 0, dbPath, apiKey: API_KEY });
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).message).toContain("network error");
  });

  test("ledger survives a sandbox restart", async () => {
    const charge = await client().charge({
      ...chargeInput,
      idempotencyKey: freshKey(),
    });
    await sandbox.close();
    sandbox = await startPaymentSandbox({ port: 0, dbPath, apiKey: API_KEY });
    const charges = (await ledger()).charges;
    expect(charges).toHaveLength(1);
    expect(charges[0]?.id).toBe(charge.id);
  });

  test("rejects maxAttempts below 1", () => {
    expect(() => client({ maxAttempts: 0 })).toThrow(
      "maxAttempts must be a positive integer",
    );
  });
});

describe("backoffDelayMs", () => {
  test("full jitter stays under the doubling ceiling", () => {
    expect(backoffDelayMs(1, undefined, () => 0.999)).toBe(49);
    expect(backoffDelayMs(2, undefined, () => 0.999)).toBe(99);
    expect(backoffDelayMs(3, undefined, () => 0.999)).toBe(199);
  });

  test("ceiling is capped at 1 s", () => {
    expect(backoffDelayMs(10, undefined, () => 0.999)).toBe(999);
  });

  test("jitter can be zero", () => {
    expect(backoffDelayMs(3, undefined, () => 0)).toBe(0);
  });

  test("Retry-After raises the delay", () => {
    expect(backoffDelayMs(1, 700, () => 0)).toBe(700);
  });

  test("Retry-After is capped at 1 s", () => {
    expect(backoffDelayMs(1, 30_000, () => 0)).toBe(1_000);
  });
});
