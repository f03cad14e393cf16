import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type Document, parseDocument, visit } from "yaml";

/** Matches `${env:NAME}`, the variable form the Tencent components CLI resolves. */
const ENV_REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** A serverless.yml as text and as a YAML document that keeps its comments. */
export interface ServerlessFile {
  path: string;
  text: string;
  document: Document;
}

/** Reads and parses a serverless.yml, and throws with the path when it is invalid YAML. */
export function readServerlessFile(file: string): ServerlessFile {
  const path = resolve(file);
  const text = readFileSync(path, "utf8");
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    const first = document.errors[0] as Error;
    throw new Error(`${path} is not valid YAML: ${first.message}`);
  }
  return { path, text, document };
}

/**
 * Lists the NAME of every `${env:NAME}` in the file's values (comments
 * excluded), in order of first use.
 */
export function envReferences(file: ServerlessFile): string[] {
  const names = new Set<string>();
  visit(file.document, {
    Scalar(_key, node) {
      if (typeof node.value !== "string") return;
      for (const match of node.value.matchAll(ENV_REFERENCE)) {
        names.add(match[1] as string);
      }
    },
  });
  return [...names];
}

/**
 * Returns a copy of the document with every `${env:NAME}` in a string
 * replaced by `values[NAME]`, as the components CLI resolves them before a
 * deploy. A name missing from `values` is left as written.
 */
export function resolveEnvReferences(
  document: Document,
  values: Record<string, string>,
): Document {
  const copy = document.clone();
  visit(copy, {
    Scalar(_key, node) {
      if (typeof node.value !== "string") return;
      node.value = node.value.replace(
        ENV_REFERENCE,
        (written: string, name: string) => values[name] ?? written,
      );
    },
  });
  return copy;
}

/** Returns the plain JavaScript value of a document, `{}` when it is empty. */
export function toObject(document: Document): Record<string, unknown> {
  const value: unknown = document.toJS();
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return {};
  }
  return value as Record<string, unknown>;
}

/** Returns `value` when it is a map, otherwise `{}`. */
export function mapOf(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return {};
  }
  return value as Record<string, unknown>;
}
