import {
  httpStatusOf,
  MethodNotAllowedError,
  PipelineError,
  ValidationError,
  type FieldIssue,
} from "../errors";

/**
 * The return value of an HTTP function with API Gateway's integrated
 * response enabled, which a Function URL also accepts.
 */
export interface IntegratedResponse {
  isBase64Encoded: boolean;
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** JSON body of every error response. */
export interface ErrorBody {
  /** The `PipelineError` code, or `internal_error` for any other error. */
  error: string;
  message: string;
  issues?: FieldIssue[];
  requestId?: string;
}

const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/**
 * Builds a response with `body` serialized by `JSON.stringify` and a JSON
 * content type. A `content-type` in `headers`, in any case, replaces the
 * default. An `undefined` body gives an empty body, as for 204.
 */
export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): IntegratedResponse {
  const hasContentType = Object.keys(headers).some(
    (name) => name.toLowerCase() === "content-type",
  );
  const allHeaders = hasContentType
    ? { ...headers }
    : { "content-type": JSON_CONTENT_TYPE, ...headers };

  return {
    isBase64Encoded: false,
    statusCode,
    headers: allHeaders,
    body: JSON.stringify(body) ?? "",
  };
}

/**
 * Builds the error response for a thrown value, with the status from
 * `httpStatusOf`. A `PipelineError` sends its code and message, plus the
 * field issues of a `ValidationError`. Any other value gets status 500 and
 * the fixed message "internal error", so that neither its message nor its
 * stack reaches the client.
 */
export function errorResponse(
  error: unknown,
  requestId?: string,
): IntegratedResponse {
  const body: ErrorBody =
    error instanceof PipelineError
      ? { error: error.code, message: error.message }
      : { error: "internal_error", message: "internal error" };

  if (error instanceof ValidationError && error.issues.length > 0) {
    body.issues = error.issues;
  }
  if (requestId !== undefined) body.requestId = requestId;

  const statusCode = error instanceof PipelineError ? httpStatusOf(error) : 500;
  // RFC 9110 requires an Allow header on every 405.
  const headers =
    error instanceof MethodNotAllowedError
      ? { allow: error.allowed }
      : undefined;
  return jsonResponse(statusCode, body, headers);
}
