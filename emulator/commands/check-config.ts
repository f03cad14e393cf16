import { ConfigFileError } from "../../scripts/validate/load-yaml";
import { formatProblem } from "../../scripts/validate/report";
import { validateServerlessFile } from "../../scripts/validate/validate-file";
import { UsageError } from "../cli-args";

/**
 * Runs `npm run validate`'s offline checks on `file` before the emulator
 * binds a port, so that a broken serverless.yml is reported with its line
 * numbers instead of failing halfway through start-up. Throws UsageError
 * (exit code 2) listing the errors; returns the number of warnings.
 */
export function checkConfigFile(file: string): number {
  let problems;
  try {
    // Handler files are checked later, against the code the emulator runs.
    problems = validateServerlessFile(file, { checkBuild: false }).problems;
  } catch (error) {
    if (error instanceof ConfigFileError) throw new UsageError(error.message);
    throw error;
  }
  const errors = problems.filter((problem) => problem.severity === "error");
  if (errors.length > 0) {
    const listed = errors.map((problem) => formatProblem(file, problem));
    throw new UsageError(
      `${file} has ${errors.length} error(s); fix them and start again:\n${listed.join("\n")}`,
    );
  }
  return problems.length - errors.length;
}
