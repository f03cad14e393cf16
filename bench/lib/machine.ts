import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { ROOT } from "./paths";

/** Packages whose versions shape the numbers. */
const PACKAGES = [
  "better-sqlite3",
  "tencentcloud-sdk-nodejs",
  "esbuild",
  "zod",
  "pino",
  "tsx",
];

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  packages: Record<string, string>;
  /** 1, 5 and 15 minute load averages when the information was taken. */
  loadAverage: number[];
  gitCommit?: string;
  /** True when the work tree had uncommitted changes. */
  gitDirty?: boolean;
}

function packageVersion(name: string): string {
  try {
    const file = join(ROOT, "node_modules", name, "package.json");
    return (JSON.parse(readFileSync(file, "utf8")) as { version: string })
      .version;
  } catch {
    return "not installed";
  }
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync("git", args, {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return undefined;
  }
}

/** Describes this machine, the Node.js runtime and the package versions. */
export function machineInfo(): MachineInfo {
  const status = git(["status", "--porcelain"]);
  return {
    nproc: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    packages: Object.fromEntries(
      PACKAGES.map((name) => [name, packageVersion(name)]),
    ),
    loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
    gitCommit: git(["rev-parse", "--short", "HEAD"]),
    gitDirty: status === undefined ? undefined : status.length > 0,
  };
}
