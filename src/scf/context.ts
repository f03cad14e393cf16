import { isPlainObject } from "./field-issues";

/**
 * The second argument SCF passes to an event function. Local emulators may
 * send other types, such as `memory_limit_in_mb` as a string, so read
 * untrusted contexts through helpers like `requestIdOf`.
 */
export interface ScfContext {
  request_id: string;
  function_name: string;
  function_version: string;
  namespace: string;
  memory_limit_in_mb: number;
  time_limit_in_ms: number;
  /** Environment variables as `"K=v;K2=v2"`. */
  environ?: string;
  [key: string]: unknown;
}

/**
 * Returns `request_id` of an SCF context, or undefined when the context is
 * missing, not an object, or has no non-empty string `request_id`. The
 * `sls invoke local` command passes `{}` as the context by default.
 */
export function requestIdOf(context: unknown): string | undefined {
  if (!isPlainObject(context)) return undefined;
  const requestId = context.request_id;
  if (typeof requestId !== "string" || requestId === "") return undefined;
  return requestId;
}
