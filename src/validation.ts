import type { z } from "zod/mini";
import { ValidationError, type FieldIssue } from "./errors";
import { toFieldIssues } from "./scf/field-issues";

/**
 * Turns zod issues into field issues with dotted paths such as `items.0.sku`,
 * one per unknown key; an issue about the whole input gets `(root)`.
 */
export function fieldIssuesOf(
  error: z.core.$ZodError,
  prefix = "",
): FieldIssue[] {
  return toFieldIssues(error.issues, prefix).map((issue) =>
    issue.field === "" ? { ...issue, field: "(root)" } : issue,
  );
}

/**
 * Parses `input` with `schema` or throws a ValidationError whose message
 * names every failed field, as in `items.0.quantity: Too small`.
 */
export function parseOrThrow<T extends z.ZodMiniType>(
  schema: T,
  input: unknown,
  what: string,
  prefix = "",
): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;

  const issues = fieldIssuesOf(result.error, prefix);
  const summary = issues
    .map((issue) => `${issue.field}: ${issue.message}`)
    .join("; ");
  throw new ValidationError(`invalid ${what}: ${summary}`, issues);
}
