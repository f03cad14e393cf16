import { createHash, timingSafeEqual } from "node:crypto";
import {
  MethodNotAllowedError,
  PayloadTooLargeError,
  UnauthorizedError,
  ValidationError,
} from "../errors";
import { header, type HttpRequest } from "../scf/http-event";

/** Largest request body `POST /orders` accepts, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/**
 * Throws UnauthorizedError unless `X-Api-Key` matches one of `keys`.
 * Comparing SHA-256 digests with timingSafeEqual keeps the time constant
 * whatever the keys' lengths. No keys configured means no check.
 */
export function requireApiKey(
  request: HttpRequest,
  keys: readonly string[],
): void {
  if (keys.length === 0) return;

  const presented = header(request, "x-api-key");
  if (presented === undefined) throw new UnauthorizedError();

  const presentedDigest = digest(presented);
  let matched = false;
  for (const key of keys) {
    // Every key is compared, so the time does not tell which one matched.
    if (timingSafeEqual(presentedDigest, digest(key))) matched = true;
  }
  if (!matched) throw new UnauthorizedError();
}

/**
 * Returns the digest that represents the caller's API key in stored data
 * (an order's owner, the scope of its Idempotency-Key). Returns undefined
 * when no API keys are configured. Call it after requireApiKey.
 */
export function clientIdOf(
  request: HttpRequest,
  keys: readonly string[],
): string | undefined {
  if (keys.length === 0) return undefined;
  const presented = header(request, "x-api-key");
  return presented === undefined
    ? undefined
    : digest(presented).toString("hex").slice(0, 32);
}

/** Parses a JSON request body within the size limit. */
export function parseJsonBody(
  request: HttpRequest,
  maxBytes = MAX_BODY_BYTES,
): unknown {
  if (Buffer.byteLength(request.body, "utf8") > maxBytes)
    throw new PayloadTooLargeError(maxBytes);

  const contentType = header(request, "content-type");
  if (
    contentType !== undefined &&
    // application/json or a +json type such as application/merge-patch+json,
    // with parameters after ";" but not application/json-seq.
    !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType.trim())
  ) {
    throw new ValidationError(
      `unsupported content-type "${contentType}"; send application/json`,
      [{ field: "headers.content-type", message: "must be application/json" }],
    );
  }
  const charset = charsetOf(contentType);
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    // JSON exchanged between systems is UTF-8 (RFC 8259). The body is read
    // as UTF-8 whatever the header declares, so another charset would be
    // decoded wrongly rather than converted.
    throw new ValidationError(
      `unsupported charset "${charset}"; send the JSON body as UTF-8`,
      [{ field: "headers.content-type", message: "charset must be utf-8" }],
    );
  }
  if (request.body.trim() === "") {
    throw new ValidationError(
      "request body is missing; send the order as JSON",
      [{ field: "body", message: "is required" }],
    );
  }
  try {
    return JSON.parse(request.body);
  } catch {
    throw new ValidationError("request body is not valid JSON", [
      { field: "body", message: "is not valid JSON" },
    ]);
  }
}

/** Returns the `charset` parameter of a Content-Type value, without quotes. */
function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType ?? "");
  return match ? match[1] : undefined;
}

/** Throws unless the request uses `method`; the error maps to 405. */
export function requireMethod(request: HttpRequest, method: string): void {
  if (request.method !== method)
    throw new MethodNotAllowedError(request.method, method);
}
