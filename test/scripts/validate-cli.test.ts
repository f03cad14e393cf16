import { spawnSync } from "node:child_process";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tsx scripts/validate.ts ...args` from the project root. */
function runValidate(...args: string[]): Run {
  const child = spawnSync(TSX, ["scripts/validate.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe("npm run validate (CLI)", () => {
  test("project serverless.yml is valid without the build check", () => {
    const run = runValidate("--no-build-check");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^serverless\.yml: valid, 5 functions, /m);
  });

  test("broken file exits 1 with location and path", () => {
    const run = runValidate("test/fixtures/serverless/five-field-cron.yml");
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(
      "test/fixtures/serverless/five-field-cron.yml:14:25: error: inputs.triggers[0].parameters.cronExpression",
    );
    expect(run.stdout).toContain(
      "test/fixtures/serverless/five-field-cron.yml: 1 error",
    );
  });

  test("tab indentation exits 1 with line and column", () => {
    const run = runValidate("test/fixtures/serverless/tab-indent.yml");
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(
      "test/fixtures/serverless/tab-indent.yml:8:1: error:",
    );
  });

  test("--no-build-check skips the handler file check", () => {
    const withCheck = runValidate(
      "test/fixtures/serverless/missing-handler.yml",
    );
    const without = runValidate(
      "test/fixtures/serverless/missing-handler.yml",
      "--no-build-check",
    );
    expect(withCheck.status).toBe(1);
    expect(without.status).toBe(0);
  });

  test("missing file exits 2", () => {
    const run = runValidate("test/fixtures/serverless/does-not-exist.yml");
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("does-not-exist.yml: file not found");
    expect(run.stdout).toBe("");
  });

  test("unknown option exits 2 with usage", () => {
    const run = runValidate("--bogus");
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown option --bogus");
    expect(run.stderr).toContain("Usage: npm run validate");
  });
});
