import { buildTimerEvent } from "../../../emulator/events/build-timer-event";
import { parseTimerEvent } from "../../../src/scf/timer-event";

const time = new Date("2026-12-04T08:01:00.123Z");

describe("buildTimerEvent", () => {
  it("builds the documented fields", () => {
    expect(buildTimerEvent("relay-outbox", time, "batch=50")).toEqual({
      Type: "Timer",
      TriggerName: "relay-outbox",
      Time: "2026-12-04T08:01:00Z",
      Message: "batch=50",
    });
  });

  it("drops milliseconds from Time", () => {
    const event = buildTimerEvent("relay-outbox", time);
    expect(event).toHaveProperty("Time", "2026-12-04T08:01:00Z");
  });

  it("omits Message when not given", () => {
    const event = buildTimerEvent("relay-outbox", time);
    expect(event).not.toHaveProperty("Message");
  });

  it("round-trips through parseTimerEvent", () => {
    const timer = parseTimerEvent(buildTimerEvent("relay-outbox", time, "m"));
    expect(timer).toEqual({
      triggerName: "relay-outbox",
      time: "2026-12-04T08:01:00Z",
      message: "m",
    });
  });

  it("round-trips without a message", () => {
    const timer = parseTimerEvent(buildTimerEvent("relay-outbox", time));
    expect(timer.message).toBeUndefined();
  });
});
