/**
 * The error tree every module throws from. `httpStatusOf` and
 * `isRetryable` map it, in one place, to HTTP status codes and to the
 * retry-or-dead-letter decision of queue consumers.
 */
export class PipelineError extends Error {
  /** A stable machine-readable code, sent to HTTP clients as `error`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One failed field of a request or message. */
export interface FieldIssue {
  /** Dotted path of the field, such as `items.0.quantity`. */
  field: string;
  message: string;
}

/** Input that does not match its schema; never retried. */
export class ValidationError extends PipelineError {
  readonly issues: FieldIssue[];

  constructor(message: string, issues: FieldIssue[] = []) {
    super("invalid_request", message);
    this.issues = issues;
  }
}

/** A request body over the size limit. */
export class PayloadTooLargeError extends PipelineError {
  constructor(limitBytes: number) {
    super("payload_too_large", `request body exceeds ${limitBytes} bytes`);
  }
}

/** Missing or wrong API key. */
export class UnauthorizedError extends PipelineError {
  constructor(message = "missing or invalid X-Api-Key header") {
    super("unauthorized", message);
  }
}

/** An HTTP method the route does not serve. */
export class MethodNotAllowedError extends PipelineError {
  readonly allowed: string;

  constructor(used: string, allowed: string) {
    super(
      "method_not_allowed",
      `method ${used} is not allowed here; use ${allowed}`,
    );
    this.allowed = allowed;
  }
}

export class NotFoundError extends PipelineError {
  constructor(message: string) {
    super("not_found", message);
  }
}

/** A request that contradicts an earlier one, such as a reused idempotency key. */
export class ConflictError extends PipelineError {
  constructor(message: string) {
    super("conflict", message);
  }
}

/** A failure that may succeed later: timeouts, 5xx, rate limits. */
export class TransientError extends PipelineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("transient_failure", message, options);
  }
}

/** A failure that retrying cannot fix, such as a declined card. */
export class PermanentError extends PipelineError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Maps an error to the HTTP status an HTTP function returns for it. */
export function httpStatusOf(error: unknown): number {
  if (error instanceof ValidationError) return 400;
  if (error instanceof UnauthorizedError) return 401;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof MethodNotAllowedError) return 405;
  if (error instanceof ConflictError) return 409;
  if (error instanceof PayloadTooLargeError) return 413;
  if (error instanceof TransientError) return 503;
  return 500;
}

/**
 * Tells a queue consumer whether to fail the invocation (so SCF retries it)
 * or to dead-letter the record. Unknown errors count as retryable, because
 * a bug fixed and redeployed should not have lost the message.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ValidationError) return false;
  if (error instanceof PermanentError) return false;
  if (error instanceof NotFoundError) return false;
  if (error instanceof ConflictError) return false;
  return true;
}

/** Formats any thrown value as a one-line message. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
