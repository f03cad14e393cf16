import type { z } from "zod/mini";

import { ValidationError, type FieldIssue } from "../errors";

/**
 * Converts zod issues to `FieldIssue`s whose `field` is the dotted path of
 * the value, prefixed with `prefix` (such as `Records.1.CMQ`) when given.
 * zod reports unknown keys on their parent object; each becomes an issue
 * of its own that names the key.
 */
export function toFieldIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix?: string,
): FieldIssue[] {
  return issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({
          field: joinPath(prefix, [...issue.path, key]),
          message: "is not a known field",
        }))
      : [{ field: joinPath(prefix, issue.path), message: issue.message }],
  );
}

/** Joins path segments with dots, skipping an empty or missing prefix. */
export function joinPath(
  prefix: string | undefined,
  path: readonly PropertyKey[],
): string {
  const segments = path.map((segment) => String(segment));
  if (prefix !== undefined && prefix !== "") segments.unshift(prefix);
  return segments.join(".");
}

/** Tells whether `value` is a non-null object that is not an array. */
export function isPlainObject(
  value: unknown,
): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Builds the `ValidationError` for an invalid event, with a message that
 * names every failed field, such as
 * `invalid HTTP event: httpMethod is required`.
 */
export function invalidEventError(
  subject: string,
  issues: FieldIssue[],
): ValidationError {
  const details = issues
    .map((issue) => `${issue.field} ${issue.message}`)
    .join("; ");
  return new ValidationError(`invalid ${subject}: ${details}`, issues);
}
