import {
  nextFireTime,
  parseCron,
  SCF_UTC_OFFSET_MINUTES,
} from "../../../emulator/timers/cron";

const UTC = { utcOffsetMinutes: 0 };

/** Returns the next fire time in UTC as an ISO string, for short asserts. */
function next(
  expression: string,
  after: string,
  options = UTC,
): string | undefined {
  return nextFireTime(
    parseCron(expression),
    new Date(after),
    options,
  )?.toISOString();
}

describe("parseCron", () => {
  test("parses lists, ranges and steps", () => {
    const schedule = parseCron(
      "*/15 0,30 9-11 1 JAN-MAR MON,WED,FRI 2030-2032",
    );
    expect(schedule.seconds).toEqual([0, 15, 30, 45]);
    expect(schedule.minutes).toEqual([0, 30]);
    expect(schedule.hours).toEqual([9, 10, 11]);
    expect(schedule.daysOfMonth.days).toEqual([1]);
    expect(schedule.months).toEqual([1, 2, 3]);
    expect(schedule.daysOfWeek.weekdays).toEqual([1, 3, 5]);
    expect(schedule.years).toEqual([2030, 2031, 2032]);
  });

  test("parses start/step and range/step", () => {
    const schedule = parseCron("1/10 10-20/5 * * * * *");
    expect(schedule.seconds).toEqual([1, 11, 21, 31, 41, 51]);
    expect(schedule.minutes).toEqual([10, 15, 20]);
  });

  test("treats a step above the range as its start only", () => {
    expect(parseCron("*/60 * * * * * *").seconds).toEqual([0]);
  });

  test("reads SUN as 0 and SAT as 6", () => {
    expect(parseCron("0 0 0 ? * SUN,SAT *").daysOfWeek.weekdays).toEqual([
      0, 6,
    ]);
  });

  test("parses L, LW, nW, nL and n#k", () => {
    const schedule = parseCron("0 0 0 L,LW,15W * 5L,MON#2 *");
    expect(schedule.daysOfMonth.lastDay).toBe(true);
    expect(schedule.daysOfMonth.lastWeekday).toBe(true);
    expect(schedule.daysOfMonth.nearestWeekdays).toEqual([15]);
    expect(schedule.daysOfWeek.lastInMonth).toEqual([5]);
    expect(schedule.daysOfWeek.nthInMonth).toEqual([{ weekday: 1, nth: 2 }]);
  });

  test("marks * and ? day fields as unrestricted", () => {
    const schedule = parseCron("0 0 0 ? * * *");
    expect(schedule.daysOfMonth.restricted).toBe(false);
    expect(schedule.daysOfWeek.restricted).toBe(false);
  });

  test.each([
    ["60 * * * * * *", 'cron field "second" value "60" is out of range 0-59'],
    ["* 60 * * * * *", 'cron field "minute" value "60" is out of range 0-59'],
    ["* * 25 * * * *", 'cron field "hour" value "25" is out of range 0-23'],
    [
      "* * * 0 * * *",
      'cron field "day-of-month" value "0" is out of range 1-31',
    ],
    [
      "* * * 32 * * *",
      'cron field "day-of-month" value "32" is out of range 1-31',
    ],
    ["* * * * 13 * *", 'cron field "month" value "13" is out of range 1-12'],
    [
      "* * * * FOO * *",
      'cron field "month" value "FOO" is not a number or name',
    ],
    ["* * * * * 7 *", 'cron field "day-of-week" value "7" is out of range 0-6'],
    [
      "* * * * * * 1969",
      'cron field "year" value "1969" is out of range 1970-2099',
    ],
    [
      "* * * * * * 2100",
      'cron field "year" value "2100" is out of range 1970-2099',
    ],
  ])("rejects out-of-range %s", (expression, message) => {
    expect(() => parseCron(expression)).toThrow(message);
  });

  test.each([
    ["*/0 * * * * * *", "second", "*/0"],
    ["* 5-2 * * * * *", "minute", "5-2"],
    ["* * 1,,2 * * * *", "hour", "1,,2"],
    ["* * * 5X * * *", "day-of-month", "5X"],
    ["* * * * ? * *", "month", "?"],
    ["* * * * * L *", "day-of-week", "L"],
    ["* * * * * 1#6 *", "day-of-week", "1#6"],
    ["* * * * * * 2030/x", "year", "2030/x"],
    ["a * * * * * *", "second", "a"],
  ])("rejects malformed %s naming field %s", (expression, field, value) => {
    expect(() => parseCron(expression)).toThrow(
      `cron field "${field}" value "${value}"`,
    );
  });

  test("rejects a six-field expression", () => {
    expect(() => parseCron("0 0 1 * * *")).toThrow("has 6 fields; expected 7");
  });
});

describe("nextFireTime", () => {
  test("every 5 seconds", () => {
    expect(next("*/5 * * * * * *", "2025-01-01T00:00:03Z")).toBe(
      "2025-01-01T00:00:05.000Z",
    );
  });

  test("is strictly after the given time", () => {
    expect(next("*/5 * * * * * *", "2025-01-01T00:00:05Z")).toBe(
      "2025-01-01T00:00:10.000Z",
    );
  });

  test("ignores milliseconds of the given time", () => {
    expect(next("*/5 * * * * * *", "2025-01-01T00:00:04.999Z")).toBe(
      "2025-01-01T00:00:05.000Z",
    );
  });

  test("daily time later the same day", () => {
    expect(next("0 30 9 * * * *", "2025-06-10T08:00:00Z")).toBe(
      "2025-06-10T09:30:00.000Z",
    );
  });

  test("daily time already passed moves to the next day", () => {
    expect(next("0 30 9 * * * *", "2025-06-10T09:30:00Z")).toBe(
      "2025-06-11T09:30:00.000Z",
    );
  });

  test("weekday rule skips the weekend", () => {
    // 2025-03-01 is a Saturday.
    expect(next("0 15 10 * * MON-FRI *", "2025-03-01T00:00:00Z")).toBe(
      "2025-03-03T10:15:00.000Z",
    );
  });

  test("single weekday by number", () => {
    // 3 is Wednesday; 2025-03-05 is the first Wednesday after the 3rd.
    expect(next("0 0 12 * * 3 *", "2025-03-03T00:00:00Z")).toBe(
      "2025-03-05T12:00:00.000Z",
    );
  });

  test("day-of-month and day-of-week match as a union", () => {
    // The 15th or any Monday: 2025-03-10 (Monday) comes before the 15th.
    expect(next("0 0 0 15 * MON *", "2025-03-04T00:00:00Z")).toBe(
      "2025-03-10T00:00:00.000Z",
    );
  });

  test("month boundary", () => {
    expect(next("0 0 0 1 * * *", "2025-01-31T23:59:59Z")).toBe(
      "2025-02-01T00:00:00.000Z",
    );
  });

  test("year boundary", () => {
    expect(next("0 0 0 * * * *", "2025-12-31T23:59:59Z")).toBe(
      "2026-01-01T00:00:00.000Z",
    );
  });

  test("day 31 skips months without one", () => {
    expect(next("0 0 0 31 * * *", "2025-03-31T00:00:00Z")).toBe(
      "2025-05-31T00:00:00.000Z",
    );
  });

  test("leap day waits for the next leap year", () => {
    expect(next("0 0 0 29 2 * *", "2025-03-01T00:00:00Z")).toBe(
      "2028-02-29T00:00:00.000Z",
    );
  });

  test("leap day in a leap year", () => {
    expect(next("0 0 0 29 FEB * *", "2024-02-28T12:00:00Z")).toBe(
      "2024-02-29T00:00:00.000Z",
    );
  });

  test("last day of February", () => {
    expect(next("0 0 0 L * * *", "2025-02-01T00:00:00Z")).toBe(
      "2025-02-28T00:00:00.000Z",
    );
  });

  test("last weekday when the month ends on a Saturday", () => {
    // 2025-05-31 is a Saturday, so the last weekday is Friday the 30th.
    expect(next("0 0 0 LW * * *", "2025-05-01T00:00:00Z")).toBe(
      "2025-05-30T00:00:00.000Z",
    );
  });

  test("nearest weekday stays inside the month", () => {
    // 2025-03-01 is a Saturday; Friday the 28th of February is another month.
    expect(next("0 0 0 1W * * *", "2025-02-27T00:00:00Z")).toBe(
      "2025-03-03T00:00:00.000Z",
    );
  });

  test("last Friday of the month", () => {
    expect(next("0 0 0 ? * 5L *", "2025-03-01T00:00:00Z")).toBe(
      "2025-03-28T00:00:00.000Z",
    );
  });

  test("second Monday of the month", () => {
    expect(next("0 0 0 ? * MON#2 *", "2025-03-01T00:00:00Z")).toBe(
      "2025-03-10T00:00:00.000Z",
    );
  });

  test("year in the past returns undefined", () => {
    expect(next("0 0 0 * * * 2020", "2025-03-01T00:00:00Z")).toBeUndefined();
  });

  test("last allowed second returns undefined after it", () => {
    expect(
      next("59 59 23 31 12 * 2099", "2099-12-31T23:59:59Z"),
    ).toBeUndefined();
  });

  test("impossible date returns undefined", () => {
    expect(next("0 0 0 30 2 * *", "2025-01-01T00:00:00Z")).toBeUndefined();
  });

  test("future year range starts at its first second", () => {
    expect(next("0 0 0 1 1 * 2090-2095", "2025-06-01T00:00:00Z")).toBe(
      "2090-01-01T00:00:00.000Z",
    );
  });

  test("defaults to UTC+8", () => {
    expect(SCF_UTC_OFFSET_MINUTES).toBe(480);
    // 09:30 in UTC+8 is 01:30 UTC.
    const fire = nextFireTime(
      parseCron("0 30 9 * * * *"),
      new Date("2025-01-01T02:00:00Z"),
    );
    expect(fire?.toISOString()).toBe("2025-01-02T01:30:00.000Z");
  });

  test("day fields follow the offset's date", () => {
    // 2025-03-02T20:00Z is Monday 04:00 in UTC+8.
    expect(
      next("0 0 4 * * MON *", "2025-03-02T19:00:00Z", {
        utcOffsetMinutes: 480,
      }),
    ).toBe("2025-03-02T20:00:00.000Z");
  });

  test("negative offset", () => {
    expect(
      next("0 0 0 * * * *", "2025-01-01T00:00:00Z", { utcOffsetMinutes: -300 }),
    ).toBe("2025-01-01T05:00:00.000Z");
  });

  test("rejects an invalid Date", () => {
    expect(() =>
      nextFireTime(parseCron("* * * * * * *"), new Date("nope")),
    ).toThrow(RangeError);
  });

  test("rejects an offset beyond 18 hours", () => {
    const schedule = parseCron("* * * * * * *");
    expect(() =>
      nextFireTime(schedule, new Date(), { utcOffsetMinutes: 1200 }),
    ).toThrow("utcOffsetMinutes");
  });

  test("sparse schedule is found quickly", () => {
    const schedule = parseCron("0 0 0 29 2 * 2096");
    const started = performance.now();
    const fire = nextFireTime(schedule, new Date("1970-01-01T00:00:00Z"), UTC);
    const elapsedMs = performance.now() - started;
    expect(fire?.toISOString()).toBe("2096-02-29T00:00:00.000Z");
    // A second-by-second scan would take about 4 billion steps.
    expect(elapsedMs).toBeLessThan(250);
  });

  test("walks a dense schedule in order", () => {
    const schedule = parseCron("0,30 59 23 31 12 * *");
    let cursor = new Date("2025-12-31T23:58:00Z");
    const fires: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const fire = nextFireTime(schedule, cursor, UTC);
      if (!fire) break;
      fires.push(fire.toISOString());
      cursor = fire;
    }
    expect(fires).toEqual([
      "2025-12-31T23:59:00.000Z",
      "2025-12-31T23:59:30.000Z",
      "2026-12-31T23:59:00.000Z",
    ]);
  });
});
