import pino, { type Logger } from "pino";

export type { Logger };

/**
 * Paths pino replaces with "[Redacted]": credentials, payment tokens and
 * street addresses, wherever they appear in a log line's fields.
 */
export const REDACTED_PATHS = [
  "secretKey",
  "*.secretKey",
  "token",
  "*.token",
  "paymentToken",
  "*.paymentToken",
  "*.*.paymentToken",
  "apiKey",
  "*.apiKey",
  "headers.authorization",
  "headers.x-api-key",
  "*.headers.authorization",
  "*.headers.x-api-key",
  "shippingAddress",
  "*.shippingAddress",
  "*.*.shippingAddress",
];

/**
 * Creates the JSON-lines logger every function and the emulator use.
 * The level comes from `LOG_LEVEL` (default `info`); lines go to stdout,
 * which SCF ships to CLS, unless `destination` is given.
 */
export function createLogger(
  bindings: Record<string, unknown> = {},
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level: process.env.LOG_LEVEL ?? "info",
    base: bindings,
    redact: { paths: REDACTED_PATHS, censor: "[Redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (destination) return pino(options, destination);
  return pino(options);
}
