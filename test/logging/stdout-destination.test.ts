import { createLogger } from "../../src/logging/logger";

// createLogger without a destination writes to process.stdout, reached on
// the first line rather than when the logger is created.

describe("createLogger stdout destination", () => {
  const original = Object.getOwnPropertyDescriptor(process, "stdout");
  let reads: number;
  let written: string[];

  beforeEach(() => {
    if (!original) throw new Error("process.stdout has no property descriptor");
    reads = 0;
    written = [];
    const sink = {
      write(chunk: string) {
        written.push(chunk);
        return true;
      },
    };
    Object.defineProperty(process, "stdout", {
      configurable: true,
      get() {
        reads += 1;
        return sink;
      },
    });
  });

  afterEach(() => {
    if (original) Object.defineProperty(process, "stdout", original);
  });

  test("creating the logger leaves stdout alone", () => {
    createLogger({ test: "stdout" });

    expect(reads).toBe(0);
  });

  test("first line goes to stdout", () => {
    const logger = createLogger({ test: "stdout" });

    logger.info({ orderId: "ord_1" }, "hello");

    expect(reads).toBe(1);
    expect(written).toHaveLength(1);
    const line = JSON.parse(written[0] as string) as Record<string, unknown>;
    expect(line.msg).toBe("hello");
    expect(line.orderId).toBe("ord_1");
    expect(line.test).toBe("stdout");
  });

  test("lines below the level never reach stdout", () => {
    const logger = createLogger({ test: "stdout" });
    logger.level = "warn";

    logger.info("quiet");

    expect(reads).toBe(0);
    expect(written).toHaveLength(0);
  });
});
