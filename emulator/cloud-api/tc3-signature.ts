import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { ApiErrorCode } from "./api-errors";

export type SignatureCheck =
  | { ok: true; secretId: string; service: string }
  | { ok: false; code: string; message: string };

export interface SignedRequest {
  method: string;
  /** Request headers as Node parses them: lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The raw query string without "?", empty for POST. */
  query?: string;
}

const ALGORITHM = "TC3-HMAC-SHA256";
/** Tencent rejects an X-TC-Timestamp more than five minutes from server time. */
const MAX_CLOCK_SKEW_SECONDS = 300;

interface ParsedAuthorization {
  secretId: string;
  date: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/**
 * Verifies a Tencent Cloud API 3.0 request signed with TC3-HMAC-SHA256.
 *
 * The service comes from the Authorization credential scope, because the SDK
 * signs with the first label of its endpoint ("127" for 127.0.0.1:PORT). The
 * canonical URI is always "/", the only path the SDK calls. The host header is
 * signed without its port, as the SDK does, and header values are trimmed and
 * lower-cased as Tencent's signing guide specifies.
 */
export function verifyTc3Request(
  input: SignedRequest,
  lookupSecretKey: (secretId: string) => string | undefined,
  nowSeconds: number,
): SignatureCheck {
  const auth = parseAuthorization(headerValue(input.headers, "authorization"));
  if (!auth) {
    return fail(
      ApiErrorCode.invalidAuthorization,
      `The Authorization header is missing or is not a valid ${ALGORITHM} authorization.`,
    );
  }
  const timestamp = parseTimestamp(
    headerValue(input.headers, "x-tc-timestamp"),
  );
  if (timestamp === undefined) {
    return fail(
      ApiErrorCode.signatureFailure,
      "The X-TC-Timestamp header is missing or invalid.",
    );
  }
  if (Math.abs(nowSeconds - timestamp) > MAX_CLOCK_SKEW_SECONDS) {
    return fail(
      ApiErrorCode.signatureExpire,
      `Signature expired: X-TC-Timestamp ${timestamp} differs from server time ${nowSeconds} ` +
        `by more than ${MAX_CLOCK_SKEW_SECONDS} seconds.`,
    );
  }
  const secretKey = lookupSecretKey(auth.secretId);
  if (secretKey === undefined) {
    return fail(
      ApiErrorCode.secretIdNotFound,
      `SecretId ${auth.secretId} not found. Check the credentials.`,
    );
  }
  return checkSignature(input, auth, timestamp, secretKey);
}

function checkSignature(
  input: SignedRequest,
  auth: ParsedAuthorization,
  timestamp: number,
  secretKey: string,
): SignatureCheck {
  const expectedDate = utcDate(timestamp);
  if (auth.date !== expectedDate) {
    return fail(
      ApiErrorCode.signatureFailure,
      `The credential scope date ${auth.date} is not the UTC date of X-TC-Timestamp ` +
        `(${expectedDate}).`,
    );
  }
  const canonicalHeaders = canonicalizeHeaders(
    input.headers,
    auth.signedHeaders,
  );
  if (typeof canonicalHeaders !== "string") return canonicalHeaders;

  const canonicalRequest = [
    input.method.toUpperCase(),
    "/",
    input.query ?? "",
    canonicalHeaders,
    auth.signedHeaders.join(";"),
    sha256Hex(input.body),
  ].join("\n");
  const scope = `${auth.date}/${auth.service}/tc3_request`;
  const hashedRequest = sha256Hex(canonicalRequest);
  const stringToSign = [
    ALGORITHM,
    String(timestamp),
    scope,
    hashedRequest,
  ].join("\n");
  const expected = signingKey(secretKey, auth.date, auth.service);
  const signature = createHmac("sha256", expected)
    .update(stringToSign)
    .digest();

  if (!timingSafeEqual(signature, Buffer.from(auth.signature, "hex"))) {
    return fail(
      ApiErrorCode.signatureFailure,
      "The provided credentials could not be validated. Check your signature is correct.",
    );
  }
  return { ok: true, secretId: auth.secretId, service: auth.service };
}

/**
 * Parses `TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request,
 * SignedHeaders=a;b, Signature=HEX` and returns undefined for anything else.
 */
function parseAuthorization(
  header: string | undefined,
): ParsedAuthorization | undefined {
  const prefix = `${ALGORITHM} `;
  if (!header?.startsWith(prefix)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(prefix.length).split(",")) {
    const separator = part.indexOf("=");
    if (separator > 0) {
      fields.set(
        part.slice(0, separator).trim(),
        part.slice(separator + 1).trim(),
      );
    }
  }
  const credential = (fields.get("Credential") ?? "").split("/");
  const [secretId, date, service, terminator, ...extra] = credential;
  const signedHeaders = (fields.get("SignedHeaders") ?? "")
    .split(";")
    .map((name) => name.toLowerCase());
  const signature = fields.get("Signature") ?? "";
  const valid =
    secretId &&
    date &&
    service &&
    terminator === "tc3_request" &&
    extra.length === 0 &&
    /^\d{4}-\d{2}-\d{2}$/.test(date) &&
    signedHeaders.includes("content-type") &&
    signedHeaders.includes("host") &&
    /^[0-9a-f]{64}$/.test(signature);
  if (!valid) return undefined;
  return { secretId, date, service, signedHeaders, signature };
}

/** Builds the canonical header lines, or the failure for a signed header that is absent. */
function canonicalizeHeaders(
  headers: SignedRequest["headers"],
  signedHeaders: string[],
): string | SignatureCheck {
  let lines = "";
  for (const name of signedHeaders) {
    let value = headerValue(headers, name);
    if (value === undefined) {
      return fail(
        ApiErrorCode.signatureFailure,
        `The signed header ${name} is missing.`,
      );
    }
    if (name === "host") value = hostWithoutPort(value);
    lines += `${name}:${value.trim().toLowerCase()}\n`;
  }
  return lines;
}

function hostWithoutPort(host: string): string {
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const colon = host.lastIndexOf(":");
  return colon === -1 ? host : host.slice(0, colon);
}

function parseTimestamp(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,12}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

function headerValue(
  headers: SignedRequest["headers"],
  name: string,
): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Derived signing keys by secret key, date and service; see `signingKey`. */
const signingKeys = new Map<string, Buffer>();
const MAX_SIGNING_KEYS = 64;

/**
 * Derives the TC3 signing key, or returns it from a small cache. The key
 * depends only on the secret key, the UTC date and the service, so without
 * the cache every request of a client on one day repeats the same three
 * HMACs.
 */
function signingKey(secretKey: string, date: string, service: string): Buffer {
  const cacheKey = `${secretKey}\n${date}\n${service}`;
  const cached = signingKeys.get(cacheKey);
  if (cached) return cached;

  const dateKey = createHmac("sha256", `TC3${secretKey}`).update(date).digest();
  const serviceKey = createHmac("sha256", dateKey).update(service).digest();
  const key = createHmac("sha256", serviceKey).update("tc3_request").digest();
  if (signingKeys.size >= MAX_SIGNING_KEYS) signingKeys.clear();
  signingKeys.set(cacheKey, key);
  return key;
}

function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Formats a Unix time in seconds as its UTC date, YYYY-MM-DD. */
function utcDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

function fail(code: string, message: string): SignatureCheck {
  return { ok: false, code, message };
}
