import type * as https from "node:https";
import { join } from "node:path";
import type * as zlib from "node:zlib";
import { BUNDLE_ALIASES } from "../../scripts/bundle-functions";

// The shims replace packages in function bundles; each keeps the one
// behaviour the bundled code relies on and throws on the paths it drops.

const SHIMS = join(__dirname, "..", "..", "scripts", "bundle-shims");

function shim<T>(name: string): T {
  return require(join(SHIMS, name)) as T;
}

type Constructor = new (...args: unknown[]) => unknown;

describe("bundle shims", () => {
  test("every alias points at an existing shim", () => {
    for (const file of Object.values(BUNDLE_ALIASES)) {
      expect(() => require.resolve(file)).not.toThrow();
    }
  });

  test.each([
    ["https-proxy-agent.js", "https-proxy-agent"],
    ["form-data.js", "form-data"],
    ["sonic-boom.js", "sonic-boom"],
    ["bignumber.js", "bignumber.js"],
  ])("%s throws when constructed", (file, packageName) => {
    const Shim = shim<Constructor>(file);

    expect(() => new Shim()).toThrow(packageName);
  });

  test("SSE response model throws when constructed", () => {
    const { SSEResponseModel } = shim<{ SSEResponseModel: Constructor }>(
      "sse-response-model.js",
    );

    expect(() => new SSEResponseModel()).toThrow("server-sent event");
  });

  test("pino transport throws when called", () => {
    const transport = shim<() => unknown>("pino-transport.js");

    expect(() => transport()).toThrow("pino.transport()");
  });

  test("uuid v4 returns a random version 4 UUID", () => {
    const { v4 } = shim<{ v4: (...args: unknown[]) => string }>("uuid.js");

    const first = v4();
    const second = v4();

    expect(first).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(second).not.toBe(first);
  });

  test("uuid v4 rejects options", () => {
    const { v4 } = shim<{ v4: (...args: unknown[]) => string }>("uuid.js");

    expect(() => v4({ random: new Uint8Array(16) })).toThrow(
      "takes no arguments",
    );
  });

  test("isBigNumber matches bignumber.js instances only", () => {
    const BigNumber = shim<{ isBigNumber: (value: unknown) => boolean }>(
      "bignumber.js",
    );

    expect(BigNumber.isBigNumber({ _isBigNumber: true })).toBe(true);
    expect(BigNumber.isBigNumber(12)).toBe(false);
    expect(BigNumber.isBigNumber("12")).toBe(false);
    expect(BigNumber.isBigNumber(null)).toBe(false);
    expect(BigNumber.isBigNumber({})).toBe(false);
  });

  test("encoding exports no convert", () => {
    expect(shim<{ convert?: unknown }>("encoding.js").convert).toBeUndefined();
  });

  test("lazy https forwards to node:https", () => {
    const lazy = shim<typeof https>("lazy-https.js");
    const real = require("node:https") as typeof https;

    expect(lazy.request).toBe(real.request);
  });

  test("lazy zlib forwards to node:zlib", () => {
    const lazy = shim<typeof zlib>("lazy-zlib.js");
    const real = require("node:zlib") as typeof zlib;

    expect(lazy.createGunzip).toBe(real.createGunzip);
    expect(lazy.Z_SYNC_FLUSH).toBe(real.Z_SYNC_FLUSH);
  });

  test("bindings loads the better-sqlite3 addon", () => {
    const bindings =
      shim<(name: string) => { Database?: unknown }>("bindings.js");

    expect(typeof bindings("better_sqlite3.node").Database).toBe("function");
    expect(() => bindings("other.node")).toThrow("only better_sqlite3.node");
  });

  test("pino worker_threads stand-in is constant", () => {
    expect(shim<{ isMainThread: boolean }>("pino-worker-threads.js")).toEqual({
      isMainThread: true,
    });
  });
});
