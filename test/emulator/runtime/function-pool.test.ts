import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  FunctionPool,
  instanceExecArgv,
} from "../../../emulator/runtime/function-pool";
import type { FunctionSpec } from "../../../emulator/runtime/invocation";

const dir = mkdtempSync(join(tmpdir(), "function-pool-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function specFor(source: string, timeoutSeconds = 2): FunctionSpec {
  const file = join(dir, `handler-${Math.random().toString(36).slice(2)}.js`);
  writeFileSync(file, source);
  return {
    key: "test-fn",
    file,
    exportName: "main_handler",
    timeoutSeconds,
    memorySize: 128,
    environment: { GREETING: "hello" },
  };
}

describe("instanceExecArgv", () => {
  test("drops loaders with separate values", () => {
    expect(
      instanceExecArgv(["--require", "a.cjs", "--import", "tsx", "--cpu-prof"]),
    ).toEqual(["--cpu-prof"]);
  });

  test("drops loaders written with =", () => {
    expect(
      instanceExecArgv([
        "--import=tsx",
        "--loader=x.mjs",
        "--max-old-space-size=512",
      ]),
    ).toEqual(["--max-old-space-size=512"]);
  });
});

describe("FunctionPool", () => {
  test("invocation sees its environment and context", async () => {
    const pool = new FunctionPool(
      specFor(
        "exports.main_handler = async (event, context) => " +
          "({ greeting: process.env.GREETING, name: context.function_name, echo: event.value });",
      ),
      { maxInstances: 1 },
    );

    const result = await pool.invoke({ value: 7 });
    await pool.close();

    expect(result.ok).toBe(true);
    expect(result).toMatchObject({
      value: {
        greeting: "hello",
        name: "test-fn",
        echo: 7,
      },
    });
  });

  test("thrown error becomes a failed invocation", async () => {
    const pool = new FunctionPool(
      specFor(
        'exports.main_handler = async () => { throw new TypeError("bad"); };',
      ),
      {
        maxInstances: 1,
      },
    );

    const result = await pool.invoke({});
    await pool.close();

    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ error: { errorType: "TypeError" } });
    expect(result).toMatchObject({ error: { errorMessage: "bad" } });
  });

  test("timeout stops the instance and the next call starts fresh", async () => {
    const pool = new FunctionPool(
      specFor(
        "let calls = 0; exports.main_handler = async (event) => { calls += 1; " +
          "if (event.hang) await new Promise(() => {}); return calls; };",
        1,
      ),
      { maxInstances: 1 },
    );

    const first = await pool.invoke({ hang: true });
    const second = await pool.invoke({ hang: false });
    await pool.close();

    // A fresh instance loads the module again, so its call count restarts.
    expect(first.ok).toBe(false);
    expect(first).toMatchObject({ timedOut: true });
    expect(second).toMatchObject({ ok: true, value: 1 });
  });

  test("uncloneable event fails without ending the instance", async () => {
    const pool = new FunctionPool(
      specFor(
        "let calls = 0; exports.main_handler = async () => { calls += 1; return calls; };",
        1,
      ),
      { maxInstances: 1 },
    );

    const first = await pool.invoke({ value: 1 });
    const rejected = await pool.invoke({ callback: () => undefined });
    // Past the 1 s timeout: a timer left behind would have ended the instance.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const third = await pool.invoke({ value: 3 });
    await pool.close();

    expect(first).toMatchObject({ ok: true, value: 1 });
    expect(rejected).toMatchObject({ ok: false, timedOut: false });
    expect(third).toMatchObject({ ok: true, value: 2 });
  });

  test("each request id is fresh", async () => {
    const pool = new FunctionPool(
      specFor(
        "exports.main_handler = async (e, context) => context.request_id;",
      ),
      {
        maxInstances: 1,
      },
    );

    const first = await pool.invoke({});
    const second = await pool.invoke({});
    await pool.close();

    expect(first).toMatchObject({ ok: true, value: first.requestId });
    expect(first.requestId).not.toBe(second.requestId);
  });
});
