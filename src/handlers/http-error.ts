import type { Logger } from "../logging/logger";
import { errorResponse, type IntegratedResponse } from "../scf/http-response";

/**
 * Turns an error into an integrated response and logs it: a 5xx with the
 * error and its stack, a rejection (4xx) with its reason only.
 */
export function errorResponseLogged(
  error: unknown,
  requestId: string | undefined,
  log: Logger,
): IntegratedResponse {
  const response = errorResponse(error, requestId);
  if (response.statusCode >= 500) log.error({ err: error }, "request failed");
  else
    log.info(
      { status: response.statusCode, reason: (error as Error).message },
      "request rejected",
    );
  return response;
}
