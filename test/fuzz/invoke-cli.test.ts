/**
 * `invoke` with unusable arguments, run as a child process: it must exit
 * with code 2 and name the problem on stderr, before starting anything.
 */
import { type CliResult, runCli } from "../helpers/cli";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  MAX_EVENT_BYTES,
  MAX_EVENT_DEPTH,
} from "../../emulator/commands/invoke";

/** Nesting depth past MAX_EVENT_DEPTH and past what structured clone survives. */
const DEEP_LEVELS = 5_000;

let dir: string;
let badJsonFile: string;
let missingFile: string;
let largeFile: string;
let deepFile: string;
/** Results of the runs, started together in beforeAll to save start-up time. */
let results: Record<
  | "badJson"
  | "missing"
  | "noFunction"
  | "endless"
  | "large"
  | "deepFile"
  | "deepData"
  | "noEvent",
  CliResult
>;
/** Time the /dev/zero run took, in milliseconds. */
let endlessMs: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "invoke-cli-"));
  badJsonFile = join(dir, "truncated.json");
  writeFileSync(badJsonFile, '{"httpMethod": "POST", ');
  missingFile = join(dir, "no-such-event.json");
  const validFile = join(dir, "valid.json");
  writeFileSync(validFile, "{}");
  // Valid JSON, one string one byte over the limit once quoted.
  largeFile = join(dir, "large.json");
  writeFileSync(largeFile, `"${"a".repeat(MAX_EVENT_BYTES - 1)}"`);
  deepFile = join(dir, "deep.json");
  writeFileSync(deepFile, nestedArrays(DEEP_LEVELS));

  const endlessStart = Date.now();
  const endlessRun = invoke(["-f", "create-order", "-p", "/dev/zero"]).then(
    (result) => {
      endlessMs = Date.now() - endlessStart;
      return result;
    },
  );
  const [
    badJson,
    missing,
    noFunction,
    endless,
    large,
    deepFileResult,
    deepData,
    noEvent,
  ] = await Promise.all([
    invoke(["-f", "create-order", "-p", badJsonFile]),
    invoke(["-f", "create-order", "-p", missingFile]),
    invoke(["-p", validFile]),
    endlessRun,
    invoke(["-f", "create-order", "-p", largeFile]),
    invoke(["-f", "create-order", "-p", deepFile]),
    invoke(["-f", "create-order", "-d", nestedArrays(DEEP_LEVELS)]),
    invoke(["-f", "create-order"]),
  ]);
  results = {
    badJson,
    missing,
    noFunction,
    endless,
    large,
    deepFile: deepFileResult,
    deepData,
    noEvent,
  };
}, 90_000);

function nestedArrays(levels: number): string {
  return "[".repeat(levels) + "]".repeat(levels);
}

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `tsx emulator/cli.ts invoke ARGS` with its data folder in `dir`. */
function invoke(args: string[]): Promise<CliResult> {
  return runCli(["invoke", ...args, "--data-dir", join(dir, "data")]);
}

describe("invoke with a bad event", () => {
  test("truncated JSON file exits 2", () => {
    const { code, stdout, stderr } = results.badJson;
    expect(code).toBe(2);
    expect(stderr).toContain(`event file ${badJsonFile} is not valid JSON`);
    expect(stdout).toBe("");
  });

  test("missing event file exits 2", () => {
    const { code, stdout, stderr } = results.missing;
    expect(code).toBe(2);
    expect(stderr).toContain(`cannot read event file ${missingFile}: ENOENT`);
    expect(stdout).toBe("");
  });

  test("missing -f exits 2", () => {
    const { code, stdout, stderr } = results.noFunction;
    expect(code).toBe(2);
    expect(stderr).toContain("missing -f FUNCTION");
    expect(stdout).toBe("");
  });
});

describe("invoke with an oversized event", () => {
  test("/dev/zero stops at the limit", () => {
    const { code, stdout, stderr } = results.endless;
    expect(code).toBe(2);
    expect(stderr).toContain(
      `event file /dev/zero is larger than ${MAX_EVENT_BYTES} bytes`,
    );
    expect(stdout).toBe("");
    // The bounded read takes under a second; 20 s leaves room for a busy machine.
    expect(endlessMs).toBeLessThan(20_000);
  });

  test("file over 6 MB exits 2", () => {
    const { code, stdout, stderr } = results.large;
    expect(code).toBe(2);
    expect(stderr).toContain(
      `event file ${largeFile} is larger than ${MAX_EVENT_BYTES} bytes`,
    );
    expect(stdout).toBe("");
  });
});

describe("invoke with a deeply nested event", () => {
  test("nested event file exits 2", () => {
    const { code, stdout, stderr } = results.deepFile;
    expect(code).toBe(2);
    expect(stderr).toContain(
      `event file ${deepFile} nests deeper than ${MAX_EVENT_DEPTH} levels`,
    );
    expect(stderr).not.toContain("Maximum call stack size exceeded");
    expect(stdout).toBe("");
  });

  test("nested -d exits 2", () => {
    const { code, stdout, stderr } = results.deepData;
    expect(code).toBe(2);
    expect(stderr).toContain(`-d nests deeper than ${MAX_EVENT_DEPTH} levels`);
    expect(stderr).not.toContain("Maximum call stack size exceeded");
    expect(stdout).toBe("");
  });
});

describe("invoke without an event", () => {
  test("neither -p nor -d exits 2", () => {
    const { code, stdout, stderr } = results.noEvent;
    expect(code).toBe(2);
    expect(stderr).toContain("missing the event: give -p FILE or -d JSON");
    expect(stdout).toBe("");
  });
});
