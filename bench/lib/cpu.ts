import { readFileSync } from "node:fs";

/** CPU time of this process, in ms, split into its main thread and all other threads. */
export interface CpuTimes {
  totalMs: number;
  mainThreadMs: number;
}

/** Clock ticks per second of /proc's utime and stime on Linux. */
const TICKS_PER_SECOND = 100;

function threadTicks(taskDir: string): number {
  const stat = readFileSync(`${taskDir}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Reads this process's CPU time: the total from `process.cpuUsage()`
 * (every thread: function instances, V8's garbage collection helpers, the
 * libuv pool) and the main thread's from /proc, where it exists.
 */
export function cpuTimes(): CpuTimes {
  const usage = process.cpuUsage();
  let mainThreadMs = Number.NaN;
  try {
    mainThreadMs =
      (threadTicks(`/proc/self/task/${process.pid}`) * 1000) / TICKS_PER_SECOND;
  } catch {
    // Not Linux: only the total is known.
  }
  return { totalMs: (usage.user + usage.system) / 1000, mainThreadMs };
}

export function cpuSince(before: CpuTimes): CpuTimes {
  const now = cpuTimes();
  return {
    totalMs: now.totalMs - before.totalMs,
    mainThreadMs: now.mainThreadMs - before.mainThreadMs,
  };
}
