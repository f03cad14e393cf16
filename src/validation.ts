import type { z } from "zod/mini";
import { ValidationError, type FieldIssue } from "./errors";

/** Turns zod issues into field issues with dotted paths such as `items.0.sku`. */
export function fieldIssuesOf(
  error: z.core.$ZodError,
  prefix = "",
): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    const field = [prefix, path].filter((part) => part.length > 0).join(".");
    return { field: field || "(root)", message: issue.message };
  });
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
