import { z } from "zod";
import { missingSpaceColumn } from "./load-yaml";
import { error, type KeyPath, type Problem } from "./problem";
import { serverlessSchema, TRIGGER_TYPES } from "./schema";
import { closestMatch } from "./suggest";

type Issue = z.core.$ZodIssue;

/** Validates the parsed document against the multi-scf schema. */
export function checkSchema(document: unknown): Problem[] {
  if (document === null || document === undefined) {
    return [
      error(
        "schema",
        [],
        "the file is empty.",
        "Write a multi-scf serverless.yml: app, stage, component: multi-scf, name and inputs.",
      ),
    ];
  }
  const result = serverlessSchema.safeParse(document);
  if (result.success) return [];
  return result.error.issues.flatMap((issue) =>
    issueProblems(issue, [], document),
  );
}

function issueProblems(
  issue: Issue,
  prefix: KeyPath,
  document: unknown,
): Problem[] {
  const path: KeyPath = [...prefix, ...issue.path.map(pathSegment)];
  const actual = valueAt(document, path);
  const leaf = leafName(path);

  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) =>
        unknownKey([...path, key], keysAt(path, document)),
      );

    case "invalid_union": {
      if ("note" in issue && issue.note === "No matching discriminator") {
        return [unknownTriggerType(path, actual)];
      }
      if (issue.message !== "Invalid input" || issue.errors.length === 0) {
        return [wrongValue(path, leaf, actual, issue.message)];
      }
      // Options are ordered so that the last one is the real schema and any
      // earlier one a variable form; report why the last one failed.
      const lastOption = issue.errors[issue.errors.length - 1] ?? [];
      return lastOption.flatMap((inner) =>
        issueProblems(inner as Issue, path, document),
      );
    }

    case "custom": {
      const fix = (issue.params as { fix?: string } | undefined)?.fix;
      if (fix !== undefined) {
        return [
          error("schema", path, `${leaf} is invalid: ${issue.message}.`, fix),
        ];
      }
      return [wrongValue(path, leaf, actual, issue.message)];
    }

    case "invalid_type":
      return [wrongValue(path, leaf, actual, expectedPhrase(issue))];

    case "invalid_value":
      return [
        wrongValue(
          path,
          leaf,
          actual,
          isDefaultMessage(issue.message)
            ? `one of ${issue.values.map(String).join(", ")}`
            : issue.message,
        ),
      ];

    default:
      return [wrongValue(path, leaf, actual, issue.message)];
  }
}

/** zod's own messages start with "Invalid"; this schema's are noun phrases. */
function isDefaultMessage(message: string): boolean {
  return /^Invalid\b/.test(message);
}

function expectedPhrase(issue: Extract<Issue, { code: "invalid_type" }>) {
  if (!isDefaultMessage(issue.message)) return issue.message;
  switch (issue.expected) {
    case "object":
    case "record":
      return "a map";
    case "array":
      return "a list";
    case "boolean":
      return "true or false";
    default:
      return `a ${issue.expected}`;
  }
}

function wrongValue(
  path: KeyPath,
  leaf: string,
  actual: unknown,
  expected: string,
): Problem {
  // A long expectation, such as the runtime list, is printed once, in the fix.
  const expectation = expected.length > 80 ? "" : `; expected ${expected}`;
  if (actual === undefined) {
    return error(
      "schema",
      path,
      `${leaf} is missing${expectation}.`,
      `Add ${leaf}: ${expected}.`,
    );
  }
  let fix = `Set ${leaf} to ${expected}.`;
  const looksLikeMap = /^(a map|a list)/.test(expected);
  if (typeof actual === "string" && looksLikeMap) {
    const column = missingSpaceColumn(actual);
    if (column !== undefined) {
      const key = actual.split(":")[0];
      fix = `Put a space after the colon ("${key}: ..."); without it YAML reads "${actual}" as one string.`;
    }
  }
  return error(
    "schema",
    path,
    expectation === ""
      ? `${leaf} is ${describe(actual)}, which is not valid.`
      : `${leaf} is ${describe(actual)}${expectation}.`,
    fix,
  );
}

function unknownKey(path: KeyPath, allowed: string[]): Problem {
  const key = String(path[path.length - 1]);
  const suggestion = closestMatch(key, allowed);
  return error(
    "schema",
    path,
    `unknown key "${key}": the multi-scf component does not read it here.`,
    suggestion === undefined
      ? "Remove it, or check its spelling and indentation."
      : `Did you mean "${suggestion}"? Rename it, or remove it.`,
    { atKey: true },
  );
}

function unknownTriggerType(path: KeyPath, actual: unknown): Problem {
  const types = TRIGGER_TYPES.join(", ");
  if (actual === undefined) {
    return error(
      "schema",
      path,
      "the trigger has no type.",
      `Add type: one of ${types}.`,
    );
  }
  return error(
    "schema",
    path,
    `unknown trigger type ${describe(actual)}.`,
    `Use one of ${types}.`,
  );
}

/** Lists the keys the schema accepts for the object at `path`. */
function keysAt(path: KeyPath, document: unknown): string[] {
  let schema: z.ZodType | undefined = serverlessSchema;
  let value = document;
  for (const segment of path) {
    schema = unwrap(schema, value);
    if (schema instanceof z.ZodObject) {
      schema = (schema.shape as Record<string, z.ZodType>)[String(segment)];
    } else if (schema instanceof z.ZodRecord) {
      schema = schema.valueType as z.ZodType;
    } else if (schema instanceof z.ZodArray) {
      schema = schema.element as z.ZodType;
    } else {
      return [];
    }
    value = valueAt(value, [segment]);
  }
  schema = unwrap(schema, value);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/**
 * Strips optional wrappers and picks the union option that applies: the
 * trigger schema matching `type` for the trigger union, else the last
 * option, which is the real schema in this file's unions.
 */
function unwrap(schema: z.ZodType | undefined, value: unknown) {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodUnion) {
      const options = current.options as readonly z.ZodType[];
      const type = valueAt(value, ["type"]);
      const matching = options.find(
        (option) =>
          option instanceof z.ZodObject &&
          option.shape.type instanceof z.ZodLiteral &&
          option.shape.type.value === type,
      );
      current = matching ?? options[options.length - 1];
    } else {
      return current;
    }
  }
}

function pathSegment(segment: PropertyKey): string | number {
  return typeof segment === "number" ? segment : String(segment);
}

function leafName(path: KeyPath): string {
  for (let index = path.length - 1; index >= 0; index -= 1) {
    const segment = path[index];
    if (typeof segment === "string") return segment;
  }
  return "the document";
}

/** Reads a value at a key path of the plain JavaScript document. */
export function valueAt(document: unknown, path: KeyPath): unknown {
  let value: unknown = document;
  for (const segment of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** Shows a value in a message: strings quoted, long ones cut. */
export function describe(value: unknown): string {
  if (value === null) return "empty (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
}
