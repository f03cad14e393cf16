import * as z from "zod/mini";
import "../zod-messages";

/**
 * Zod schemas for the fields SCF events share, with error messages that
 * read after the field name ("httpMethod is required").
 */

/** Says "is required" for a missing value, else names the expected type. */
function typeMessage(expected: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined ? "is required" : `must be ${expected}`;
}

/** Returns a schema for a required string, which may be empty. */
export function requiredString() {
  return z.string({ error: typeMessage("a string") });
}

/** Returns a schema for a required, non-empty string. */
export function nonEmptyString() {
  return requiredString().check(z.minLength(1, { error: "must not be empty" }));
}

/** Returns a schema for a string that may be missing or null. */
export function optionalString() {
  return z.nullish(z.string({ error: "must be a string" }));
}

const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * Returns a schema for an ISO 8601 date and time with seconds and a zone,
 * such as `2019-02-21T11:49:00Z` or `1970-01-01T00:00:00.000+08:00`.
 */
export function isoTime() {
  return requiredString().check(
    z.refine(
      (text) => ISO_DATE_TIME.test(text) && !Number.isNaN(Date.parse(text)),
      {
        error:
          "must be an ISO 8601 time with a zone, such as 2019-02-21T11:49:00Z",
      },
    ),
  );
}

/** Tells whether a JSON number or string is a non-negative integer. */
export function isUnsignedInteger(value: number | string): boolean {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0;
  return /^\d+$/.test(value);
}

/**
 * Returns a schema for a JSON number or string whose type error names
 * `expected`. Callers refine it to check the value.
 */
export function numberOrString(expected: string) {
  return z.union([z.number(), z.string()], { error: typeMessage(expected) });
}

/**
 * Returns a schema for a non-negative integer sent as a JSON number or as a
 * string of digits.
 */
export function unsignedInteger() {
  const expected = "a non-negative integer or a string of digits";
  return numberOrString(expected).check(
    z.refine(isUnsignedInteger, {
      error: `must be ${expected}`,
    }),
  );
}

/** Returns a schema for an object of strings that may be missing or null. */
export function stringMap() {
  return z.nullish(
    z.record(z.string(), z.string({ error: "must be a string" }), {
      error: "must be an object",
    }),
  );
}

/**
 * Returns a schema for an object whose values are strings or arrays of
 * strings, which may be missing or null.
 */
export function multiValueMap() {
  const value = z.union([z.string(), z.array(z.string())], {
    error: "must be a string or an array of strings",
  });
  return z.nullish(z.record(z.string(), value, { error: "must be an object" }));
}
