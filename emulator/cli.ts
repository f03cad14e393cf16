import { resolve } from "node:path";
import { UsageError } from "./cli-args";
import { DLQ_HELP, runDlq } from "./commands/dlq";
import { INVOKE_HELP, runInvoke } from "./commands/invoke";
import { runStart, START_HELP } from "./commands/start";

const HELP = `Usage: tsx emulator/cli.ts <command> [options]

Commands:
  start    run the pipeline locally (npm start)
  invoke   invoke one function with an event (npm run invoke)
  dlq      list, show and redrive dead letters (npm run dlq)

Run a command with --help for its options.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const root = resolve(__dirname, "..");
  switch (command) {
    case "start":
      await runStart(rest, root);
      return -1;
    case "invoke":
      return runInvoke(rest, root);
    case "dlq":
      return runDlq(rest);
    case undefined:
    case "--help":
    case "-h":
      process.stdout.write(
        `${HELP}\n${START_HELP}\n${INVOKE_HELP}\n${DLQ_HELP}`,
      );
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(
        `unknown command "${command}"; use start, invoke or dlq`,
      );
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // start keeps running until a signal; the others exit with their code.
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    const usage =
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exit(usage ? 2 : 1);
  },
);
