import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { ROOT } from "./emulator";

/** Finds `count` free ports on 127.0.0.1. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve) => {
          const server = createServer();
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map(
    (server) => (server.address() as { port: number }).port,
  );
  await Promise.all(
    servers.map((server) => new Promise((resolve) => server.close(resolve))),
  );
  return ports;
}

export interface EmulatorProcess {
  child: ChildProcess;
  httpUrl: string;
  output(): string;
  /** Sends SIGKILL and waits for the process to exit. */
  kill(): Promise<void>;
  /** Sends SIGTERM and waits for a clean stop. */
  stop(): Promise<void>;
}

/**
 * Starts `emulator/cli.ts start` as a separate process, so a test can kill
 * it with SIGKILL, and resolves once it prints that it is ready.
 */
export async function startEmulatorProcess(options: {
  dataDir: string;
  configFile: string;
  ports: number[];
  extraArgs?: string[];
}): Promise<EmulatorProcess> {
  const [port, apiPort, paymentPort, carrierPort] = options.ports as [
    number,
    number,
    number,
    number,
  ];
  const args = [
    "--import",
    "tsx",
    join(ROOT, "emulator", "cli.ts"),
    "start",
    "--port",
    String(port),
    "--api-port",
    String(apiPort),
    "--payment-port",
    String(paymentPort),
    "--carrier-port",
    String(carrierPort),
    "--data-dir",
    options.dataDir,
    "--config",
    options.configFile,
    "--retry-base-ms",
    "100",
    "-e",
    "LOG_LEVEL=warn",
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => resolve()),
  );

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`emulator did not start:\n${output}`)),
      60_000,
    );
    const check = () => {
      if (output.includes("SCF emulator ready")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}:\n${output}`));
    });
  });

  return {
    child,
    httpUrl: `http://127.0.0.1:${port}`,
    output: () => output,
    kill: async () => {
      child.kill("SIGKILL");
      await exited;
    },
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
