/**
 * SCF timer-trigger cron expressions: seven space-separated fields,
 * `second minute hour day-of-month month day-of-week year`.
 *
 * Rules follow Tencent's timer trigger page
 * (https://cloud.tencent.com/document/product/583/9708, updated 2024-12-02):
 * - ranges: second and minute 0-59, hour 0-23, day-of-month 1-31,
 *   month 1-12 or JAN-DEC, day-of-week 0-6 or SUN-SAT with 0 = Sunday,
 *   year 1970-2099;
 * - every field takes `*`, `,`, `-` and `/` (`1/10` starts at 1 and steps by 10);
 * - day-of-month also takes `?`, `L` (last day), `nW` (weekday nearest to
 *   day n) and `LW` (last weekday of the month);
 * - day-of-week also takes `?`, `nL` (last weekday n of the month) and
 *   `n#k` (the k-th weekday n of the month).
 * NOTE: the page's description of `#` is cut off in the copy that was read,
 * so `n#k` follows Quartz.
 */

export interface CronSchedule {
  /** The expression as given, for messages. */
  expression: string;
  /** Allowed values of each plain field, ascending. */
  seconds: number[];
  minutes: number[];
  hours: number[];
  months: number[];
  years: number[];
  daysOfMonth: DayOfMonthRule;
  daysOfWeek: DayOfWeekRule;
}

/** The day-of-month field; `restricted` is false for `*` and `?`. */
export interface DayOfMonthRule {
  restricted: boolean;
  days: number[];
  lastDay: boolean;
  lastWeekday: boolean;
  /** Days n of `nW`. */
  nearestWeekdays: number[];
}

/** The day-of-week field; `restricted` is false for `*` and `?`. */
export interface DayOfWeekRule {
  restricted: boolean;
  /** Weekdays with 0 = Sunday. */
  weekdays: number[];
  /** Weekdays n of `nL`. */
  lastInMonth: number[];
  /** Pairs of `n#k`. */
  nthInMonth: Array<{ weekday: number; nth: number }>;
}

export interface NextFireTimeOptions {
  /**
   * Offset of the schedule's wall clock from UTC, in minutes.
   * Defaults to 480 (UTC+8, China Standard Time).
   */
  utcOffsetMinutes?: number;
}

/**
 * SCF's time zone for timer triggers, as minutes east of UTC.
 * NOTE: the SCF timer page does not state a zone. The WeChat cloud-function
 * and uniCloud timer docs, both for functions that run on SCF, state UTC+8.
 */
export const SCF_UTC_OFFSET_MINUTES = 480;

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTH_NAMES = [
  "JAN",
  "FEB",
  "MAR",
  "APR",
  "MAY",
  "JUN",
  "JUL",
  "AUG",
  "SEP",
  "OCT",
  "NOV",
  "DEC",
];
const WEEKDAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const SECOND: FieldSpec = { name: "second", min: 0, max: 59 };
const MINUTE: FieldSpec = { name: "minute", min: 0, max: 59 };
const HOUR: FieldSpec = { name: "hour", min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = { name: "day-of-month", min: 1, max: 31 };
// Month names map to 1-12, so the list is indexed from 1.
const MONTH: FieldSpec = {
  name: "month",
  min: 1,
  max: 12,
  names: ["", ...MONTH_NAMES],
};
const DAY_OF_WEEK: FieldSpec = {
  name: "day-of-week",
  min: 0,
  max: 6,
  names: WEEKDAY_NAMES,
};
const YEAR: FieldSpec = { name: "year", min: 1970, max: 2099 };

const FIELD_ORDER = "second minute hour day-of-month month day-of-week year";

class CronFieldError extends Error {
  constructor(field: FieldSpec, value: string, problem: string) {
    super(`cron field "${field.name}" value "${value}" ${problem}`);
    this.name = "CronFieldError";
  }
}

/**
 * Parses a seven-field SCF cron expression.
 * Throws an Error naming the field and value when any field is invalid.
 */
export function parseCron(expression: string): CronSchedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 7) {
    // NOTE: SCF also accepts a legacy five-field form (minute to day-of-week);
    // its second and year defaults are not documented, so it is rejected here.
    throw new Error(
      `cron expression "${expression}" has ${fields.length} fields; expected 7 (${FIELD_ORDER})`,
    );
  }
  const [second, minute, hour, dayOfMonth, month, dayOfWeek, year] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    expression,
    seconds: parsePlainField(second, SECOND),
    minutes: parsePlainField(minute, MINUTE),
    hours: parsePlainField(hour, HOUR),
    daysOfMonth: parseDayOfMonth(dayOfMonth),
    months: parsePlainField(month, MONTH),
    daysOfWeek: parseDayOfWeek(dayOfWeek),
    years: parsePlainField(year, YEAR),
  };
}

/** Parses a field made of `*`, values, ranges and steps into sorted values. */
function parsePlainField(text: string, field: FieldSpec): number[] {
  if (text === "?")
    throw new CronFieldError(
      field,
      text,
      "is invalid: `?` is allowed only in day-of-month and day-of-week",
    );
  const values = new Set<number>();
  for (const item of splitList(text, field)) {
    for (const value of expandItem(item, field)) values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}

function splitList(text: string, field: FieldSpec): string[] {
  const items = text.split(",");
  if (items.some((item) => item === ""))
    throw new CronFieldError(field, text, "has an empty list item");
  return items;
}

/** Expands `*`, `n`, `a-b`, `*\/s`, `n/s` or `a-b/s` into its values. */
function expandItem(item: string, field: FieldSpec): number[] {
  const parts = item.split("/");
  if (parts.length > 2)
    throw new CronFieldError(field, item, "has more than one `/`");
  const [rangeText = "", stepText] = parts;
  const step = stepText === undefined ? 1 : parseStep(stepText, item, field);
  let start: number;
  let end: number;
  if (rangeText === "*") {
    start = field.min;
    end = field.max;
  } else if (rangeText.includes("-")) {
    [start, end] = parseRange(rangeText, item, field);
  } else {
    start = parseValue(rangeText, item, field);
    // `n/s` runs from n to the field's maximum; a bare `n` is one value.
    end = stepText === undefined ? start : field.max;
  }
  const values: number[] = [];
  for (let value = start; value <= end; value += step) values.push(value);
  return values;
}

function parseRange(
  text: string,
  item: string,
  field: FieldSpec,
): [number, number] {
  const bounds = text.split("-");
  if (bounds.length !== 2)
    throw new CronFieldError(field, item, "is not a valid range");
  const start = parseValue(bounds[0] ?? "", item, field);
  const end = parseValue(bounds[1] ?? "", item, field);
  if (start > end)
    throw new CronFieldError(
      field,
      item,
      `is a range whose start ${start} is after its end ${end}`,
    );
  return [start, end];
}

function parseStep(text: string, item: string, field: FieldSpec): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new CronFieldError(
      field,
      item,
      "has an invalid step; the step after `/` must be a positive integer",
    );
  }
  return Number(text);
}

/** Parses one number or name and checks the field's range. */
function parseValue(text: string, item: string, field: FieldSpec): number {
  // NOTE: Tencent's tables list names in upper case only; accepting lower
  // case here is an assumption.
  const nameIndex =
    text === "" || !field.names ? -1 : field.names.indexOf(text.toUpperCase());
  if (nameIndex >= 0) return nameIndex;
  if (!/^\d+$/.test(text))
    throw new CronFieldError(
      field,
      item,
      `is not a number${field.names ? " or name" : ""}`,
    );
  const value = Number(text);
  if (value < field.min || value > field.max) {
    throw new CronFieldError(
      field,
      item,
      `is out of range ${field.min}-${field.max}`,
    );
  }
  return value;
}

function parseDayOfMonth(text: string): DayOfMonthRule {
  const rule: DayOfMonthRule = {
    restricted: true,
    days: [],
    lastDay: false,
    lastWeekday: false,
    nearestWeekdays: [],
  };
  if (text === "*" || text === "?") return { ...rule, restricted: false };
  const days = new Set<number>();
  for (const item of splitList(text, DAY_OF_MONTH)) {
    if (item === "L") {
      rule.lastDay = true;
    } else if (item === "LW") {
      rule.lastWeekday = true;
    } else if (/^\d+W$/.test(item)) {
      rule.nearestWeekdays.push(
        parseValue(item.slice(0, -1), item, DAY_OF_MONTH),
      );
    } else {
      rejectSpecialCharacters(item, DAY_OF_MONTH);
      for (const day of expandItem(item, DAY_OF_MONTH)) days.add(day);
    }
  }
  rule.days = [...days].sort((a, b) => a - b);
  return rule;
}

function parseDayOfWeek(text: string): DayOfWeekRule {
  const rule: DayOfWeekRule = {
    restricted: true,
    weekdays: [],
    lastInMonth: [],
    nthInMonth: [],
  };
  if (text === "*" || text === "?") return { ...rule, restricted: false };
  const weekdays = new Set<number>();
  for (const item of splitList(text, DAY_OF_WEEK)) {
    if (/^\w+L$/.test(item)) {
      rule.lastInMonth.push(parseValue(item.slice(0, -1), item, DAY_OF_WEEK));
    } else if (item.includes("#")) {
      rule.nthInMonth.push(parseNthWeekday(item));
    } else {
      rejectSpecialCharacters(item, DAY_OF_WEEK);
      for (const weekday of expandItem(item, DAY_OF_WEEK))
        weekdays.add(weekday);
    }
  }
  rule.weekdays = [...weekdays].sort((a, b) => a - b);
  return rule;
}

/** Parses `n#k`: weekday n (0-6 or a name) in week k (1-5) of the month. */
function parseNthWeekday(item: string): { weekday: number; nth: number } {
  const [weekdayText = "", nthText = ""] = item.split("#");
  const weekday = parseValue(weekdayText, item, DAY_OF_WEEK);
  if (!/^[1-5]$/.test(nthText)) {
    throw new CronFieldError(
      DAY_OF_WEEK,
      item,
      "has an invalid week number; the number after `#` must be 1-5",
    );
  }
  return { weekday, nth: Number(nthText) };
}

/** Rejects `?`, `L`, `W` or `#` mixed into a list or range. */
function rejectSpecialCharacters(item: string, field: FieldSpec): void {
  if (item === "?")
    throw new CronFieldError(
      field,
      item,
      "is invalid: `?` must be the whole field",
    );
  if (item === "L" && field === DAY_OF_WEEK) {
    throw new CronFieldError(
      field,
      item,
      "is invalid: `L` in day-of-week needs a weekday, as in `5L`",
    );
  }
}

/**
 * Returns the first fire time strictly after `after`, or undefined when the
 * year field allows no later time. Fields are matched on the wall clock at
 * `utcOffsetMinutes` (default UTC+8), and the result is an absolute Date.
 * The search skips whole years, months, days, hours and minutes that cannot
 * match, so sparse schedules cost a few steps, not one per second.
 */
export function nextFireTime(
  schedule: CronSchedule,
  after: Date,
  options: NextFireTimeOptions = {},
): Date | undefined {
  const offsetMinutes = options.utcOffsetMinutes ?? SCF_UTC_OFFSET_MINUTES;
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) > 18 * 60) {
    throw new RangeError(
      `utcOffsetMinutes must be an integer from -1080 to 1080, got ${offsetMinutes}`,
    );
  }
  if (Number.isNaN(after.getTime()))
    throw new RangeError("nextFireTime needs a valid Date for `after`");
  const offsetMs = offsetMinutes * 60_000;
  // Work on a Date whose UTC fields show the schedule's wall clock.
  const startMs = Math.floor((after.getTime() + offsetMs) / 1000) * 1000 + 1000;
  const local = findNextWallClockTime(schedule, new Date(startMs));
  return local === undefined ? undefined : new Date(local.getTime() - offsetMs);
}

/** Searches from `start` (inclusive) on a wall clock expressed in UTC fields. */
function findNextWallClockTime(
  schedule: CronSchedule,
  start: Date,
): Date | undefined {
  let cursor = start;
  for (;;) {
    const year = cursor.getUTCFullYear();
    const nextYear = firstAtLeast(schedule.years, year);
    if (nextYear === undefined) return undefined;
    if (nextYear !== year) {
      cursor = wallClock(nextYear, 1, 1);
      continue;
    }
    const month = cursor.getUTCMonth() + 1;
    const nextMonth = firstAtLeast(schedule.months, month);
    if (nextMonth === undefined) {
      cursor = wallClock(year + 1, 1, 1);
      continue;
    }
    if (nextMonth !== month) {
      cursor = wallClock(year, nextMonth, 1);
      continue;
    }
    const day = cursor.getUTCDate();
    const nextDay = firstAtLeast(matchingDays(schedule, year, month), day);
    if (nextDay === undefined) {
      cursor = wallClock(year, month + 1, 1);
      continue;
    }
    if (nextDay !== day) {
      cursor = wallClock(year, month, nextDay);
      continue;
    }
    const time = nextTimeOfDay(schedule, cursor);
    if (time === undefined) {
      cursor = wallClock(year, month, day + 1);
      continue;
    }
    return time;
  }
}

/** Finds the first matching hour, minute and second on the cursor's day. */
function nextTimeOfDay(schedule: CronSchedule, cursor: Date): Date | undefined {
  const year = cursor.getUTCFullYear();
  const month = cursor.getUTCMonth() + 1;
  const day = cursor.getUTCDate();
  let hour = cursor.getUTCHours();
  let minute = cursor.getUTCMinutes();
  let second = cursor.getUTCSeconds();
  for (;;) {
    const nextHour = firstAtLeast(schedule.hours, hour);
    if (nextHour === undefined) return undefined;
    if (nextHour !== hour) [hour, minute, second] = [nextHour, 0, 0];
    const nextMinute = firstAtLeast(schedule.minutes, minute);
    if (nextMinute === undefined) {
      [hour, minute, second] = [hour + 1, 0, 0];
      continue;
    }
    if (nextMinute !== minute) [minute, second] = [nextMinute, 0];
    const nextSecond = firstAtLeast(schedule.seconds, second);
    if (nextSecond === undefined) {
      [minute, second] = [minute + 1, 0];
      if (minute > 59) [hour, minute] = [hour + 1, 0];
      continue;
    }
    return wallClock(year, month, day, hour, minute, nextSecond);
  }
}

/**
 * Lists the days of one month that match the two day fields, ascending.
 * NOTE: the SCF page does not say how a restricted day-of-month and
 * day-of-week combine. The WeChat and CloudBase timer docs say either may
 * match, as in Vixie cron, so this takes their union.
 */
function matchingDays(
  schedule: CronSchedule,
  year: number,
  month: number,
): number[] {
  const { daysOfMonth, daysOfWeek } = schedule;
  const length = daysInMonth(year, month);
  const days: number[] = [];
  for (let day = 1; day <= length; day += 1) {
    const monthMatch =
      daysOfMonth.restricted &&
      matchesDayOfMonth(daysOfMonth, year, month, day);
    const weekMatch =
      daysOfWeek.restricted && matchesDayOfWeek(daysOfWeek, year, month, day);
    const bothOpen = !daysOfMonth.restricted && !daysOfWeek.restricted;
    if (bothOpen || monthMatch || weekMatch) days.push(day);
  }
  return days;
}

function matchesDayOfMonth(
  rule: DayOfMonthRule,
  year: number,
  month: number,
  day: number,
): boolean {
  const length = daysInMonth(year, month);
  if (rule.days.includes(day)) return true;
  if (rule.lastDay && day === length) return true;
  if (rule.lastWeekday && day === nearestWeekday(year, month, length))
    return true;
  return rule.nearestWeekdays.some(
    (target) => target <= length && nearestWeekday(year, month, target) === day,
  );
}

function matchesDayOfWeek(
  rule: DayOfWeekRule,
  year: number,
  month: number,
  day: number,
): boolean {
  const weekday = weekdayOf(year, month, day);
  if (rule.weekdays.includes(weekday)) return true;
  const isLastOfItsKind = day + 7 > daysInMonth(year, month);
  if (isLastOfItsKind && rule.lastInMonth.includes(weekday)) return true;
  const nth = Math.ceil(day / 7);
  return rule.nthInMonth.some(
    (entry) => entry.weekday === weekday && entry.nth === nth,
  );
}

/**
 * Returns the Monday-to-Friday day closest to `day` without leaving the
 * month: a Saturday moves to Friday unless that is in the previous month,
 * and a Sunday moves to Monday unless that is in the next month.
 */
function nearestWeekday(year: number, month: number, day: number): number {
  const weekday = weekdayOf(year, month, day);
  const length = daysInMonth(year, month);
  if (weekday === 6) return day === 1 ? 3 : day - 1;
  if (weekday === 0) return day === length ? day - 2 : day + 1;
  return day;
}

function firstAtLeast(
  sortedValues: number[],
  minimum: number,
): number | undefined {
  return sortedValues.find((value) => value >= minimum);
}

/** Builds a wall-clock time; out-of-range parts roll over as in Date.UTC. */
function wallClock(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): Date {
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}
