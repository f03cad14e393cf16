import { ConfigError, loadConfig } from "../../src/config/config";

const BASE = { DATABASE_URL: "postgres://app:secret@10.0.0.5:5432/orders" };

const PUBLISHER = {
  ...BASE,
  TENCENTCLOUD_SECRETID: "AKIDEXAMPLE",
  TENCENTCLOUD_SECRETKEY: "secret-key",
};

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  test("empty TDMQ_API_URL uses the SDK endpoint", () => {
    const config = loadConfig(["publisher"], {
      ...PUBLISHER,
      TDMQ_API_URL: "",
    });

    expect(config.publisher?.tdmqEndpoint).toBe("tdmq.tencentcloudapi.com");
    expect(config.publisher?.tdmqProtocol).toBe("https://");
  });

  test("unset TDMQ_API_URL uses the SDK endpoint", () => {
    const config = loadConfig(["publisher"], PUBLISHER);

    expect(config.publisher?.tdmqEndpoint).toBe("tdmq.tencentcloudapi.com");
  });

  test("TDMQ_API_URL with http sets host and protocol", () => {
    const config = loadConfig(["publisher"], {
      ...PUBLISHER,
      TDMQ_API_URL: "http://127.0.0.1:9324",
    });

    expect(config.publisher?.tdmqEndpoint).toBe("127.0.0.1:9324");
    expect(config.publisher?.tdmqProtocol).toBe("http://");
  });

  test("empty values with defaults use the defaults", () => {
    const config = loadConfig([], {
      ...BASE,
      LOG_LEVEL: "",
      ORDER_CREATED_TOPIC: "",
      IDEMPOTENCY_TTL_SECONDS: "",
    });

    expect(config.logLevel).toBe("info");
    expect(config.topics.orderCreated).toBe("order-created");
    expect(config.idempotencyTtlSeconds).toBe(86_400);
  });

  test("empty ORDER_API_KEYS requires no key", () => {
    const config = loadConfig([], { ...BASE, ORDER_API_KEYS: "" });

    expect(config.orderApiKeys).toEqual([]);
  });

  test("empty required variable is reported as missing", () => {
    const error = configError(() =>
      loadConfig(["payment"], {
        ...BASE,
        PAYMENT_API_URL: "",
        PAYMENT_API_KEY: "pk",
      }),
    );

    expect(error.message).toContain("PAYMENT_API_URL is missing or empty");
  });

  test("invalid TDMQ_API_URL is reported with its name", () => {
    const error = configError(() =>
      loadConfig(["publisher"], { ...PUBLISHER, TDMQ_API_URL: "undefined" }),
    );

    expect(error.message).toContain("TDMQ_API_URL is invalid");
  });
});
