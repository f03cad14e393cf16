import { ConfigError, loadConfig } from "../../src/config/config";

const BASE = { DATABASE_URL: "sqlite:/tmp/orders.db" };

const PROVIDERS = {
  ...BASE,
  PAYMENT_API_URL: "http://127.0.0.1:3002",
  PAYMENT_API_KEY: "pk",
  CARRIER_API_URL: "http://127.0.0.1:3003",
  CARRIER_API_KEY: "ck",
};

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig checks", () => {
  test("defaults apply to unset variables", () => {
    const config = loadConfig(["payment", "carrier"], PROVIDERS);

    expect(config.logLevel).toBe("info");
    expect(config.idempotencyTtlSeconds).toBe(86_400);
    expect(config.stalledOrderSeconds).toBe(900);
    expect(config.topics).toEqual({
      orderCreated: "order-created",
      orderPaid: "order-paid",
    });
    expect(config.payment?.timeoutMs).toBe(3_000);
    expect(config.carrier?.timeoutMs).toBe(3_000);
  });

  test("values override the defaults", () => {
    const config = loadConfig(["payment"], {
      ...PROVIDERS,
      LOG_LEVEL: "debug",
      IDEMPOTENCY_TTL_SECONDS: "60",
      STALLED_ORDER_SECONDS: "30",
      ORDER_PAID_TOPIC: "paid-topic",
      PROVIDER_TIMEOUT_MS: "250",
      ORDER_API_KEYS: " k1 , ,k2 ",
    });

    expect(config.logLevel).toBe("debug");
    expect(config.idempotencyTtlSeconds).toBe(60);
    expect(config.stalledOrderSeconds).toBe(30);
    expect(config.topics.orderPaid).toBe("paid-topic");
    expect(config.payment?.timeoutMs).toBe(250);
    expect(config.orderApiKeys).toEqual(["k1", "k2"]);
  });

  test("provider URLs are trimmed", () => {
    const config = loadConfig(["payment"], {
      ...PROVIDERS,
      PAYMENT_API_URL: "  https://pay.example.com/v2  ",
    });

    expect(config.payment?.url).toBe("https://pay.example.com/v2");
  });

  test("missing DATABASE_URL is reported", () => {
    expect(messageOf(() => loadConfig([], {}))).toBe(
      "invalid configuration: DATABASE_URL is missing or empty",
    );
  });

  test("unknown DATABASE_URL scheme is invalid", () => {
    const message = messageOf(() =>
      loadConfig([], { DATABASE_URL: "mysql://db/orders" }),
    );

    expect(message).toContain(
      "DATABASE_URL is invalid: must start with sqlite:, postgres: or postgresql:",
    );
  });

  test("unknown LOG_LEVEL is invalid", () => {
    const message = messageOf(() =>
      loadConfig([], { ...BASE, LOG_LEVEL: "verbose" }),
    );

    expect(message).toContain("LOG_LEVEL is invalid: must be one of fatal");
  });

  test.each(["0", "-5", "1.5", "ten", "1e400"])(
    "IDEMPOTENCY_TTL_SECONDS=%s is invalid",
    (value) => {
      const message = messageOf(() =>
        loadConfig([], { ...BASE, IDEMPOTENCY_TTL_SECONDS: value }),
      );

      expect(message).toContain(
        "IDEMPOTENCY_TTL_SECONDS is invalid: must be a positive integer",
      );
    },
  );

  test("non-http provider URL is invalid", () => {
    const message = messageOf(() =>
      loadConfig(["carrier"], {
        ...PROVIDERS,
        CARRIER_API_URL: "ftp://carrier.example.com",
      }),
    );

    expect(message).toContain(
      "CARRIER_API_URL is invalid: must be an http or https URL",
    );
  });

  test("blank provider URL is invalid", () => {
    const message = messageOf(() =>
      loadConfig(["carrier"], { ...PROVIDERS, CARRIER_API_URL: "   " }),
    );

    expect(message).toContain("CARRIER_API_URL is invalid: must be a URL");
  });

  test("one error names every bad variable of a part", () => {
    const message = messageOf(() =>
      loadConfig(["publisher"], {
        ...BASE,
        TDMQ_API_URL: "not a url",
        TENCENTCLOUD_SECRETKEY: "key",
      }),
    );

    expect(message).toContain("TDMQ_API_URL is invalid: must be a URL");
    expect(message).toContain("TENCENTCLOUD_SECRETID is missing or empty");
    expect(message).not.toContain("TENCENTCLOUD_SECRETKEY");
  });

  test("session token is optional", () => {
    const config = loadConfig(["publisher"], {
      ...BASE,
      TENCENTCLOUD_SECRETID: "id",
      TENCENTCLOUD_SECRETKEY: "key",
      TENCENTCLOUD_SESSIONTOKEN: "",
    });

    expect(config.publisher?.credential.token).toBeUndefined();
    expect(config.publisher?.region).toBe("ap-guangzhou");
  });
});
