/**
 * `invoke` with unusable arguments, run as a child process: it must exit
 * with code 2 and name the problem on stderr, before starting anything.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/emulator";

const TSX = join(ROOT, "node_modules", ".bin", "tsx");

let dir: string;
let badJsonFile: string;
let missingFile: string;
/** Results of the runs, started together in beforeAll to save start-up time. */
let results: Record<"badJson" | "missing" | "noFunction", CliResult>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "invoke-cli-"));
  badJsonFile = join(dir, "truncated.json");
  writeFileSync(badJsonFile, '{"httpMethod": "POST", ');
  missingFile = join(dir, "no-such-event.json");
  const validFile = join(dir, "valid.json");
  writeFileSync(validFile, "{}");

  const [badJson, missing, noFunction] = await Promise.all([
    invoke(["-f", "create-order", "-p", badJsonFile]),
    invoke(["-f", "create-order", "-p", missingFile]),
    invoke(["-p", validFile]),
  ]);
  results = { badJson, missing, noFunction };
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tsx emulator/cli.ts invoke ARGS` with its data folder in `dir`. */
function invoke(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      TSX,
      ["emulator/cli.ts", "invoke", ...args, "--data-dir", join(dir, "data")],
      { cwd: ROOT, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error
          ? typeof error.code === "number"
            ? error.code
            : null
          : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
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
