import { ValidationError } from "../../src/errors";
import { parseTimerEvent } from "../../src/scf/timer-event";
import { timerEvent } from "../helpers/scf-events";

function rejectedFields(event: unknown): string[] {
  try {
    parseTimerEvent(event);
  } catch (error) {
    if (error instanceof ValidationError) {
      return error.issues.map((issue) => issue.field);
    }
    throw error;
  }
  throw new Error("parseTimerEvent accepted the event");
}

describe("parseTimerEvent", () => {
  it("accepts the documented sample", () => {
    const timer = parseTimerEvent({
      Type: "Timer",
      TriggerName: "EveryDay",
      Time: "2019-02-21T11:49:00Z",
      Message: "user define msg body",
    });
    expect(timer).toEqual({
      triggerName: "EveryDay",
      time: "2019-02-21T11:49:00Z",
      message: "user define msg body",
    });
  });

  it.each([["Timer"], ["timer"], ["TIMER"]])("accepts Type %s", (type) => {
    const timer = parseTimerEvent(timerEvent({ Type: type }));
    expect(timer.triggerName).toBe("relay-outbox");
  });

  it("leaves message undefined when Message is missing", () => {
    const timer = parseTimerEvent(timerEvent({ Message: undefined }));
    expect(timer.message).toBeUndefined();
  });

  it("leaves message undefined when Message is null", () => {
    const timer = parseTimerEvent(timerEvent({ Message: null }));
    expect(timer.message).toBeUndefined();
  });

  it("keeps an empty Message", () => {
    expect(parseTimerEvent(timerEvent({ Message: "" })).message).toBe("");
  });

  it("tolerates unknown fields", () => {
    const timer = parseTimerEvent(timerEvent({ TimerId: "t-1" }));
    expect(timer.time).toBe("2019-02-21T11:49:00Z");
  });

  it("throws a ValidationError whose message names the field", () => {
    const event = timerEvent({ TriggerName: undefined });
    expect(() => parseTimerEvent(event)).toThrow(ValidationError);
    expect(() => parseTimerEvent(event)).toThrow(/TriggerName is required/);
  });

  it.each([
    ["a cron Type", { Type: "cron" }, "Type"],
    ["a missing Type", { Type: undefined }, "Type"],
    ["a missing TriggerName", { TriggerName: undefined }, "TriggerName"],
    ["an empty TriggerName", { TriggerName: "" }, "TriggerName"],
    ["a missing Time", { Time: undefined }, "Time"],
    ["an invalid Time", { Time: "yesterday" }, "Time"],
    ["a numeric Time", { Time: 1550749740 }, "Time"],
    ["a numeric Message", { Message: 1 }, "Message"],
  ])("rejects %s", (_name, overrides, field) => {
    expect(rejectedFields(timerEvent(overrides))).toEqual([field]);
  });

  it("rejects a non-object event naming event", () => {
    expect(rejectedFields("Timer")).toEqual(["event"]);
  });
});
