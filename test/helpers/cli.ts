import { execFile } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./emulator";

const TSX = join(ROOT, "node_modules", ".bin", "tsx");

export interface CliResult {
  /** Exit code, or null when the process was killed (e.g. by the timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `tsx emulator/cli.ts ...args` from the project root with only PATH in
 * its environment, and resolves with its exit code and output.
 */
export function runCli(args: string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      TSX,
      ["emulator/cli.ts", ...args],
      { cwd: ROOT, timeout: timeoutMs, env: { PATH: process.env.PATH } },
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
