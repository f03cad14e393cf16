import { readFileSync, statSync } from "node:fs";
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type YAMLError,
} from "yaml";
import { error, type KeyPath, type Problem, warning } from "./problem";

/** A missing, unreadable or non-file path; the CLI exits 2 on it. */
export class ConfigFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigFileError";
  }
}

export interface LoadedYaml {
  source: string;
  document: Document.Parsed;
  lineCounter: LineCounter;
  /** The document as plain JavaScript, variables left as written. */
  value: unknown;
  /** Syntax errors and warnings, with positions. */
  problems: Problem[];
}

/** Reads a file as UTF-8, throwing ConfigFileError when it cannot. */
export function readConfigFile(file: string): string {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new ConfigFileError(
      code === "ENOENT"
        ? `${file}: file not found`
        : `${file}: cannot read the file (${code ?? String(cause)})`,
    );
  }
  if (!isFile) throw new ConfigFileError(`${file}: not a regular file`);
  try {
    return readFileSync(file, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new ConfigFileError(
      `${file}: cannot read the file (${code ?? String(cause)})`,
    );
  }
}

/** Parses YAML text, keeping positions for every node. */
export function loadYaml(source: string): LoadedYaml {
  const lineCounter = new LineCounter();
  const document = parseDocument(source, {
    lineCounter,
    prettyErrors: true,
    uniqueKeys: true,
  });
  const lines = source.split(/\r?\n/);
  const problems = [
    ...document.errors.map((item) => syntaxProblem(item, lines, "error")),
    ...document.warnings.map((item) => syntaxProblem(item, lines, "warning")),
  ];
  return {
    source,
    document,
    lineCounter,
    value: document.errors.length === 0 ? document.toJS() : undefined,
    problems,
  };
}

/** A `key:value` at the start of a line, other than a URL's `scheme://`. */
const MISSING_SPACE_AFTER_COLON =
  /^(\s*(?:-\s+)?)([A-Za-z_][\w.-]*):(?!\/\/)\S/;

/** Returns the column (1-based) after a `key:` with no space, if the line has one. */
export function missingSpaceColumn(line: string): number | undefined {
  const match = MISSING_SPACE_AFTER_COLON.exec(line);
  if (!match) return undefined;
  const indent = match[1] ?? "";
  const key = match[2] ?? "";
  return indent.length + key.length + 2;
}

function syntaxProblem(
  item: YAMLError,
  lines: string[],
  severity: "error" | "warning",
): Problem {
  const [start] = item.linePos ?? [];
  const line = start?.line;
  let column = start?.col;
  // prettyErrors appends "at line N, column M:" and a source excerpt.
  const summary = item.message.split(/ at line \d+, column \d+/)[0] ?? "";
  let message = `invalid YAML: ${summary.trim()}`;
  let fix = syntaxFix(item.code);

  const text = line === undefined ? undefined : lines[line - 1];
  const colonColumn = text === undefined ? undefined : missingSpaceColumn(text);
  if (colonColumn !== undefined && item.code !== "TAB_AS_INDENT") {
    const entry = (text ?? "").trim().replace(/^-\s+/, "");
    const colon = entry.indexOf(":");
    const key = entry.slice(0, colon);
    const corrected = `${key}: ${entry.slice(colon + 1)}`;
    message = `invalid YAML: missing space after the colon of "${key}:" (${summary.trim()})`;
    fix = `Write "${corrected}"; without the space YAML reads "${entry}" as one string.`;
    column = colonColumn;
  }

  const path = line === undefined ? [] : enclosingKeyPath(lines, line);
  const make = severity === "error" ? error : warning;
  return make("yaml-syntax", path, message, fix, { line, column });
}

interface KeyLine {
  /** Column (0-based) where the line's content starts, at a `-` if any. */
  column: number;
  isItem: boolean;
  /** Column of the key, after `- ` for an item. */
  keyColumn: number;
  key?: string;
}

const KEY_LINE =
  /^(\s*)(-\s+)?(?:("[^"]*"|'[^']*'|[^\s#'"][^:#]*?)\s*:(?:\s|$|\S))?/;

function readKeyLine(text: string): KeyLine | undefined {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed.startsWith("#")) return undefined;
  const match = KEY_LINE.exec(text);
  const indent = match?.[1] ?? "";
  const dash = match?.[2] ?? "";
  const rawKey = match?.[3];
  // A tab in the indentation usually means "one level deeper".
  const column = indent.includes("\t") ? Infinity : indent.length;
  return {
    column,
    isItem: dash !== "",
    keyColumn: column + dash.length,
    key: rawKey?.replace(/^["']|["']$/g, ""),
  };
}

/**
 * Guesses the key path of a line from the indentation of the lines above
 * it, for syntax errors, where the parser gives no usable tree. Sequence
 * items are counted so that paths read like `inputs.triggers[1].parameters`.
 */
export function enclosingKeyPath(lines: string[], lineNumber: number): KeyPath {
  const own = readKeyLine(lines[lineNumber - 1] ?? "");
  if (!own) return [];
  const path: Array<string | number> = [];
  if (own.key !== undefined) path.push(own.key);
  if (own.isItem) path.unshift(itemIndex(lines, lineNumber - 1, own.column));
  let limit = own.column;

  for (let index = lineNumber - 2; index >= 0 && limit > 0; index -= 1) {
    const above = readKeyLine(lines[index] ?? "");
    if (!above || above.column >= limit) continue;
    if (above.isItem) {
      // `- key:` is a parent only when the line is indented past the key.
      if (above.key !== undefined && above.keyColumn < limit)
        path.unshift(above.key);
      path.unshift(itemIndex(lines, index, above.column));
    } else if (above.key !== undefined) {
      path.unshift(above.key);
    }
    limit = above.column;
  }
  return path;
}

/** Counts the `- ` items at `column` above line `index` in the same list. */
function itemIndex(lines: string[], index: number, column: number): number {
  let count = 0;
  for (let above = index - 1; above >= 0; above -= 1) {
    const line = readKeyLine(lines[above] ?? "");
    if (!line) continue;
    if (line.column < column) break;
    if (line.column === column && line.isItem) count += 1;
  }
  return count;
}

function syntaxFix(code: string): string {
  switch (code) {
    case "TAB_AS_INDENT":
      return "Indent with spaces; YAML does not allow tabs for indentation.";
    case "BAD_INDENT":
    case "MISSING_CHAR":
    case "BLOCK_AS_IMPLICIT_KEY":
    case "MULTILINE_IMPLICIT_KEY":
      return "Check the indentation: keys of one map must start at the same column, and a nested map or list must be indented under its key.";
    case "DUPLICATE_KEY":
      return "Remove or rename one of the duplicate keys; YAML keeps only one of them.";
    default:
      return "Fix the YAML syntax at this position.";
  }
}

export interface Position {
  line: number;
  column: number;
}

/**
 * Finds the position of a key path in the document. When the path does not
 * exist to its end, returns the position of the deepest part that does, so a
 * missing key points at its parent. With `atKey`, returns the position of
 * the last key rather than its value.
 */
export function locate(
  loaded: LoadedYaml,
  path: KeyPath,
  atKey = false,
): Position | undefined {
  let node: unknown = loaded.document.contents;
  let offset = rangeStart(node);

  for (let index = 0; index < path.length; index += 1) {
    const segment = path[index];
    const isLast = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (item) =>
          isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) break;
      const keyOffset = rangeStart(pair.key);
      if (isLast && atKey) {
        offset = keyOffset ?? offset;
        break;
      }
      node = pair.value;
      // A key with no value (`inputs:`) has no value node; use the key.
      offset = rangeStart(node) ?? keyOffset ?? offset;
    } else if (isSeq(node) && typeof segment === "number") {
      const item: unknown = node.items[segment];
      if (item === undefined) break;
      node = item;
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  if (offset === undefined) return undefined;
  const position = loaded.lineCounter.linePos(offset);
  return { line: position.line, column: position.col };
}

/** Returns the position of the first `needle` inside a scalar, else its start. */
export function locateInScalar(
  loaded: LoadedYaml,
  node: Node,
  needle: string,
): Position | undefined {
  const range = node.range;
  if (!range) return undefined;
  const text = loaded.source.slice(range[0], range[1]);
  const index = text.indexOf(needle);
  const position = loaded.lineCounter.linePos(
    range[0] + (index < 0 ? 0 : index),
  );
  return { line: position.line, column: position.col };
}

function rangeStart(node: unknown): number | undefined {
  if (node !== null && typeof node === "object" && "range" in node) {
    const range = (node as Node).range;
    return range ? range[0] : undefined;
  }
  return undefined;
}
