/** A command-line mistake; the CLI prints it and exits with code 2. */
export class UsageError extends Error {}

/** Parses repeated `KEY=VALUE` options into a map. */
export function parseAssignments(
  values: string[] | undefined,
  option: string,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values ?? []) {
    const equals = value.indexOf("=");
    if (equals <= 0)
      throw new UsageError(`${option} expects KEY=VALUE, got "${value}"`);
    result[value.slice(0, equals)] = value.slice(equals + 1);
  }
  return result;
}

/** Parses a port option: an integer from 0 (any free port) to 65535. */
export function parsePort(
  value: string | undefined,
  option: string,
  fallback: number,
): number {
  if (value === undefined || value === "") return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(
      `${option} must be a port number from 0 to 65535, got "${value}"`,
    );
  }
  return port;
}

/** Parses a positive integer option. */
export function parsePositive(
  value: string | undefined,
  option: string,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new UsageError(
      `${option} must be a positive integer, got "${value}"`,
    );
  return number;
}
