import { isMap, isScalar, isSeq, type Node } from "yaml";
import { type LoadedYaml, locateInScalar } from "./load-yaml";
import { error, type KeyPath, type Problem } from "./problem";

/**
 * Variable forms the Tencent Serverless CLI resolves: `${name}`, `${stage}`
 * and `${app}` (tencent-scf README.md and docs/configure.md), `${env:NAME}`
 * (tencent-scf example/*\/serverless.yml) and `${output:...}`, another
 * instance's output (tencent-multi-scf docs/output.md).
 */
const KNOWN_VARIABLE =
  /^(?:env:[A-Za-z_][A-Za-z0-9_]*|name|stage|app|output:.+)$/;

/** A whole value that is one variable, such as `${env:TIMEOUT}`. */
const WHOLE_VARIABLE = /^\$\{(?:env:[A-Za-z_][A-Za-z0-9_]*|name|stage|app)\}$/;

/** Returns true when the value is exactly one known variable reference. */
export function isVariable(value: unknown): value is string {
  return typeof value === "string" && WHOLE_VARIABLE.test(value);
}

/** Returns true when a string contains any `${`, known or not. */
export function containsVariable(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}

export interface ScalarAt {
  path: KeyPath;
  node: Node;
  value: unknown;
}

/** Lists every scalar value (not keys) in the document with its key path. */
export function scalarValues(loaded: LoadedYaml): ScalarAt[] {
  const found: ScalarAt[] = [];
  const visit = (node: unknown, path: KeyPath): void => {
    if (isScalar(node)) {
      found.push({ path, node, value: node.value });
    } else if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : "?";
        visit(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => visit(item, [...path, index]));
    }
  };
  visit(loaded.document.contents, []);
  return found;
}

/**
 * Reports every `${...}` that is not a known variable form, and every `${`
 * with no closing brace. Known forms are left as written and not resolved.
 */
export function checkVariables(loaded: LoadedYaml): Problem[] {
  const problems: Problem[] = [];
  for (const scalar of scalarValues(loaded)) {
    if (typeof scalar.value !== "string") continue;
    for (const reference of variableReferences(scalar.value)) {
      const position = locateInScalar(loaded, scalar.node, reference.text);
      if (reference.inner === undefined) {
        problems.push(
          error(
            "unknown-variable",
            scalar.path,
            `unterminated variable in "${scalar.value}": "\${" has no closing "}".`,
            "Close the variable with }, as in ${env:NAME}.",
            position,
          ),
        );
      } else if (!KNOWN_VARIABLE.test(reference.inner)) {
        problems.push(
          error(
            "unknown-variable",
            scalar.path,
            `unknown variable "${reference.text}": the Tencent Serverless CLI resolves \${env:NAME}, \${name}, \${stage}, \${app} and \${output:...}.`,
            variableFix(reference.inner),
            position,
          ),
        );
      }
    }
  }
  return problems;
}

function variableFix(inner: string): string {
  const name = inner.replace(/^env[.:]/, "").replace(/[^A-Za-z0-9_]/g, "_");
  return inner.startsWith("env")
    ? `Write \${env:${name || "NAME"}}: "env:" followed by letters, digits and underscores.`
    : `Write \${env:${name.toUpperCase() || "NAME"}} to read an environment variable, or write the value itself.`;
}

interface VariableReference {
  /** The reference as written, from `${` to its closing `}`. */
  text: string;
  /** The text between the braces; undefined when the `}` is missing. */
  inner?: string;
}

/**
 * Lists the top-level `${...}` references in a string. Nested references,
 * as in `${output:${stage}:app:instance.url}`, stay inside their parent.
 */
function variableReferences(value: string): VariableReference[] {
  const references: VariableReference[] = [];
  let start = value.indexOf("${");
  while (start >= 0) {
    let depth = 0;
    let end = -1;
    for (let index = start; index < value.length; index += 1) {
      if (value.startsWith("${", index)) {
        depth += 1;
        index += 1;
      } else if (value[index] === "}") {
        depth -= 1;
        if (depth === 0) {
          end = index;
          break;
        }
      }
    }
    if (end < 0) {
      references.push({ text: value.slice(start) });
      break;
    }
    references.push({
      text: value.slice(start, end + 1),
      inner: value.slice(start + 2, end),
    });
    start = value.indexOf("${", end + 1);
  }
  return references;
}
