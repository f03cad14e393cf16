const started = Date.now();

/** Prints one progress line with the seconds since the process started. */
export function log(scope: string, message: string): void {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`[${seconds}s] ${scope}: ${message}\n`);
}
