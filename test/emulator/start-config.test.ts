import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:net";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

/** Runs `tsx emulator/cli.ts start ...args`, which must exit on its own. */
function runStart(...args: string[]) {
  const child = spawnSync(TSX, ["emulator/cli.ts", "start", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: child.status, stderr: child.stderr };
}

let busy: Server;
let busyPort: number;

beforeAll(async () => {
  // A port already taken: start must report the file before it binds one.
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  busyPort = (busy.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
});

describe("npm start --config", () => {
  test("invalid file exits 2 with its location", () => {
    const file = "test/fixtures/serverless/five-field-cron.yml";
    const run = runStart("--config", file, "--port", String(busyPort));

    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${file}:14:25: error:`);
    expect(run.stderr).not.toContain("in use");
  });

  test("missing file exits 2 naming it", () => {
    const run = runStart("--config", "no-such-dir/serverless.yml");

    expect(run.status).toBe(2);
    expect(run.stderr).toContain("no-such-dir/serverless.yml");
  });
});
