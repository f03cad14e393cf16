import { ConfigFileError } from "./validate/load-yaml";
import { formatReport } from "./validate/report";
import { exitCode, validateServerlessFile } from "./validate/validate-file";

const USAGE = `Usage: npm run validate -- [file] [--no-build-check] [--build-dir DIR]

Checks a multi-scf serverless.yml offline: YAML syntax, the component's
inputs, and settings SCF or the component would silently ignore.

  file              the file to check (default: ./serverless.yml)
  --no-build-check  skip checking that each handler file exists in the build
  --build-dir DIR   look for handler files in DIR instead of inputs.src

Exit code: 0 valid, 1 problems found, 2 missing or unreadable file or bad arguments.
`;

interface Arguments {
  file: string;
  checkBuild: boolean;
  buildDir?: string;
}

class UsageError extends Error {}

function parseArguments(argv: string[]): Arguments | "help" {
  const files: string[] = [];
  let checkBuild = true;
  let buildDir: string | undefined;
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] ?? "";
    if (argument === "--help" || argument === "-h") return "help";
    if (argument === "--no-build-check") {
      checkBuild = false;
    } else if (argument === "--build-dir") {
      buildDir = argv[index + 1];
      index += 1;
      if (buildDir === undefined || buildDir.startsWith("-"))
        throw new UsageError("--build-dir needs a directory");
    } else if (argument.startsWith("-")) {
      throw new UsageError(`unknown option ${argument}`);
    } else {
      files.push(argument);
    }
  }
  if (files.length > 1)
    throw new UsageError(`expected one file, got ${files.join(", ")}`);
  return { file: files[0] ?? "serverless.yml", checkBuild, buildDir };
}

function main(argv: string[]): number {
  let args: Arguments | "help";
  try {
    args = parseArguments(argv);
  } catch (cause) {
    if (!(cause instanceof UsageError)) throw cause;
    process.stderr.write(`validate: ${cause.message}\n\n${USAGE}`);
    return 2;
  }
  if (args === "help") {
    process.stdout.write(USAGE);
    return 0;
  }

  try {
    const result = validateServerlessFile(args.file, {
      checkBuild: args.checkBuild,
      buildDir: args.buildDir,
    });
    process.stdout.write(
      formatReport(args.file, result.problems, result.summary),
    );
    return exitCode(result);
  } catch (cause) {
    if (!(cause instanceof ConfigFileError)) throw cause;
    process.stderr.write(`validate: ${cause.message}\n`);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
