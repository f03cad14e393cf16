/**
 * `dlq` with the records that consumers rejected, run as child processes:
 * `invoke` makes process-payment reject the sample record (its order does
 * not exist), and the id that `dlq list` prints must work with `dlq show`.
 */
import { type CliResult, runCli } from "../helpers/cli";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/emulator";

jest.setTimeout(60_000);

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "dlq-cli-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `tsx emulator/cli.ts ARGS --data-dir DATA_DIR`. */
function cli(dataDir: string, args: string[]): Promise<CliResult> {
  return runCli([...args, "--data-dir", dataDir]);
}

/** Returns the ids listed under "Records the consumers rejected" in `dlq list` output. */
function rejectedIds(listOutput: string): string[] {
  const [, section = ""] = listOutput.split("Records the consumers rejected");
  return section
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/)[0] ?? "")
    .filter((id) => id !== "");
}

describe("dlq with rejected records", () => {
  let dataDir: string;
  let listed: CliResult;

  beforeAll(async () => {
    dataDir = join(dir, "data");
    const invoked = await cli(dataDir, [
      "invoke",
      "-f",
      "process-payment",
      "-p",
      join(ROOT, "events", "process-payment.cmq.json"),
    ]);
    expect(invoked.code).toBe(0);
    expect(JSON.parse(invoked.stdout)).toEqual({
      processed: 0,
      skipped: 0,
      deadLettered: 1,
    });
    listed = await cli(dataDir, ["dlq", "list"]);
  });

  test("list prints the rejected record", () => {
    expect(listed.code).toBe(0);
    expect(rejectedIds(listed.stdout)).toEqual(["process-payment:8512300001"]);
  });

  test("show accepts a listed id", async () => {
    const [id = "missing"] = rejectedIds(listed.stdout);
    const { code, stdout, stderr } = await cli(dataDir, ["dlq", "show", id]);
    expect(stderr).toBe("");
    expect(code).toBe(0);

    const record = JSON.parse(stdout) as {
      id: string;
      source: string;
      orderId: string;
      reason: string;
      payload: { CMQ?: { msgId?: string } };
    };
    expect(record.id).toBe(id);
    expect(record.source).toBe("process-payment");
    expect(record.orderId).toBe("ord_sample");
    expect(record.reason).toBe("order ord_sample not found");
    expect(record.payload.CMQ?.msgId).toBe("8512300001");
  });

  test("show of an unknown record exits 2", async () => {
    const { code, stdout, stderr } = await cli(dataDir, [
      "dlq",
      "show",
      "process-payment:no-such-record",
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      "no rejected record process-payment:no-such-record",
    );
    expect(stdout).toBe("");
  });

  test("redrive of a rejected record exits 2", async () => {
    const { code, stdout, stderr } = await cli(dataDir, [
      "dlq",
      "redrive",
      "process-payment:8512300001",
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      "cannot redrive process-payment:8512300001: it is a record that a consumer rejected",
    );
    expect(stdout).toBe("");
  });
});
