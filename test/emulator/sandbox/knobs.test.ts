import { DEFAULT_KNOBS, KnobGate } from "../../../emulator/sandbox/knobs";

const neverAborted = new AbortController().signal;

/** Creates a clock that the test moves by hand. */
function manualClock(startMs = 1_000_000) {
  let nowMs = startMs;
  return { now: () => nowMs, advance: (ms: number) => (nowMs += ms) };
}

describe("KnobGate", () => {
  test("defaults pass every request", async () => {
    const gate = new KnobGate();
    expect(gate.knobs).toEqual(DEFAULT_KNOBS);
    expect(await gate.apply(neverAborted)).toEqual({ kind: "pass" });
  });

  test("rate limit allows a burst of one second", async () => {
    const clock = manualClock();
    const gate = new KnobGate(
      { rateLimitPerSecond: 3 },
      Math.random,
      clock.now,
    );
    const decisions = [];
    for (let i = 0; i < 4; i += 1)
      decisions.push((await gate.apply(neverAborted)).kind);
    expect(decisions).toEqual(["pass", "pass", "pass", "rate_limited"]);
  });

  test("rate limit refills over time", async () => {
    const clock = manualClock();
    const gate = new KnobGate(
      { rateLimitPerSecond: 2 },
      Math.random,
      clock.now,
    );
    await gate.apply(neverAborted);
    await gate.apply(neverAborted);
    clock.advance(500);
    expect((await gate.apply(neverAborted)).kind).toBe("pass");
    expect((await gate.apply(neverAborted)).kind).toBe("rate_limited");
  });

  test("Retry-After rounds up to whole seconds", async () => {
    const clock = manualClock();
    const gate = new KnobGate(
      { rateLimitPerSecond: 0.25 },
      Math.random,
      clock.now,
    );
    await gate.apply(neverAborted);
    expect(await gate.apply(neverAborted)).toEqual({
      kind: "rate_limited",
      retryAfterSeconds: 4,
    });
  });

  test("zero rate means unlimited", async () => {
    const gate = new KnobGate({ rateLimitPerSecond: 0 });
    for (let i = 0; i < 100; i += 1)
      expect((await gate.apply(neverAborted)).kind).toBe("pass");
  });

  test("error rate uses the random source", async () => {
    const values = [0.1, 0.9];
    const gate = new KnobGate({ errorRate: 0.5 }, () => values.shift() ?? 0);
    expect((await gate.apply(neverAborted)).kind).toBe("injected_error");
    expect((await gate.apply(neverAborted)).kind).toBe("pass");
  });

  test("rate limit is checked before the error rate", async () => {
    const clock = manualClock();
    const gate = new KnobGate(
      { rateLimitPerSecond: 1, errorRate: 1 },
      () => 0,
      clock.now,
    );
    expect((await gate.apply(neverAborted)).kind).toBe("injected_error");
    expect((await gate.apply(neverAborted)).kind).toBe("rate_limited");
  });

  test("latency waits before deciding", async () => {
    const gate = new KnobGate({ latencyMs: 60 });
    const started = Date.now();
    await gate.apply(neverAborted);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  test("abort cancels the latency wait", async () => {
    const gate = new KnobGate({ latencyMs: 10_000 });
    const controller = new AbortController();
    const pending = gate.apply(controller.signal);
    controller.abort();
    await expect(pending).rejects.toThrow();
  });

  test("update merges and keeps other knobs", () => {
    const gate = new KnobGate({ latencyMs: 5 });
    gate.update({ errorRate: 0.2 });
    expect(gate.knobs).toEqual({
      latencyMs: 5,
      errorRate: 0.2,
      rateLimitPerSecond: 0,
    });
  });

  test.each([
    [{ errorRate: 1.5 }],
    [{ errorRate: -0.1 }],
    [{ latencyMs: -1 }],
    [{ latencyMs: 1.5 }],
    [{ rateLimitPerSecond: -2 }],
  ])("update rejects %j", (knobs) => {
    const gate = new KnobGate();
    expect(() => gate.update(knobs)).toThrow();
  });
});
