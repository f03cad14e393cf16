import * as z from "zod/mini";
import "../zod-messages";

import type { FieldIssue } from "../errors";
import { decodeBase64, decodeUtf8 } from "./body-encoding";
import {
  invalidEventError,
  isPlainObject,
  toFieldIssues,
} from "./field-issues";
import {
  multiValueMap,
  optionalString,
  requiredString,
  stringMap,
} from "./schema-fields";

/**
 * An HTTP request from an API Gateway trigger or a Function URL, with header
 * names lower-cased and the body decoded to text.
 */
export interface HttpRequest {
  /** `apigw` when the event has a `requestContext`, else `function-url`. */
  shape: "apigw" | "function-url";
  /** Upper-case HTTP method. */
  method: string;
  path: string;
  /** Lower-case header names; repeated or array values joined with ", ". */
  headers: Record<string, string>;
  /** Query arguments; a key repeated in the URL has an array value. */
  query: Record<string, string | string[]>;
  pathParameters: Record<string, string>;
  /** Body text; "" when the event has none. */
  body: string;
  /** API Gateway request id, or the platform's request-id header. */
  requestId?: string;
  /** Client address from `requestContext` or `x-scf-remote-addr`. */
  sourceIp?: string;
}

/** Methods accepted in `httpMethod`: those of RFC 9110 plus PATCH. */
export const HTTP_METHODS: readonly string[] = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "CONNECT",
  "OPTIONS",
  "TRACE",
  "PATCH",
];

const requestContextSchema = z.looseObject(
  {
    serviceId: optionalString(),
    path: optionalString(),
    // The method of the API definition, which API Gateway allows to be ANY,
    // so only the top-level httpMethod is checked against HTTP_METHODS.
    httpMethod: optionalString(),
    requestId: optionalString(),
    identity: z.nullish(z.looseObject({}, { error: "must be an object" })),
    sourceIp: optionalString(),
    stage: optionalString(),
  },
  { error: "must be an object" },
);

/**
 * The fields of both event shapes. A Function URL event is an API Gateway
 * event without requestContext, headerParameters, pathParameters,
 * queryStringParameters and isBase64Encoded. Unknown fields pass because
 * the platform adds fields over time.
 */
const httpEventSchema = z.looseObject({
  httpMethod: requiredString().check(
    z.toUpperCase(),
    z.refine((method) => HTTP_METHODS.includes(method), {
      error: `must be one of ${HTTP_METHODS.join(", ")}`,
    }),
  ),
  path: requiredString(),
  headers: multiValueMap(),
  queryString: multiValueMap(),
  queryStringParameters: multiValueMap(),
  pathParameters: stringMap(),
  headerParameters: stringMap(),
  stageVariables: stringMap(),
  requestContext: z.nullish(requestContextSchema),
  body: optionalString(),
  // NOTE: the API Gateway sample event has no isBase64Encoded field. The
  // Function URL docs describe the API Gateway format as having one, so it
  // is read as an optional boolean on both shapes.
  isBase64Encoded: z.nullish(z.boolean({ error: "must be true or false" })),
});

type HttpEventFields = z.output<typeof httpEventSchema>;

/**
 * Parses an SCF API Gateway or Function URL event into an `HttpRequest`.
 * Throws a `ValidationError` whose issues name each invalid field, such as
 * `httpMethod`, `headers.accept` or `body` for invalid base64.
 */
export function parseHttpEvent(event: unknown): HttpRequest {
  if (!isPlainObject(event)) {
    throw invalidEventError("HTTP event", [
      { field: "event", message: "must be a JSON object" },
    ]);
  }

  const parsed = httpEventSchema.safeParse(event);
  if (!parsed.success) {
    throw invalidEventError("HTTP event", toFieldIssues(parsed.error.issues));
  }
  const fields = parsed.data;

  const issues: FieldIssue[] = [];
  const body = decodeBody(fields, issues);
  if (issues.length > 0) throw invalidEventError("HTTP event", issues);

  const headers = normalizeHeaders(fields.headers ?? {});
  const context = fields.requestContext ?? undefined;
  const request: HttpRequest = {
    shape: context === undefined ? "function-url" : "apigw",
    method: fields.httpMethod,
    path: fields.path,
    headers,
    query: mergeQuery(fields),
    pathParameters: { ...fields.pathParameters },
    body,
  };

  const requestId =
    nonEmpty(context?.requestId) ??
    nonEmpty(headers["x-api-requestid"]) ??
    nonEmpty(headers["x-scf-request-id"]);
  if (requestId !== undefined) request.requestId = requestId;

  const sourceIp =
    nonEmpty(context?.sourceIp) ?? nonEmpty(headers["x-scf-remote-addr"]);
  if (sourceIp !== undefined) request.sourceIp = sourceIp;

  return request;
}

/** Returns a header value by name, ignoring the case of the name. */
export function header(request: HttpRequest, name: string): string | undefined {
  const lowerName = name.toLowerCase();
  const exact = request.headers[lowerName];
  if (exact !== undefined) return exact;

  // Requests built by hand may keep mixed-case header names.
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() === lowerName) return value;
  }
  return undefined;
}

function decodeBody(fields: HttpEventFields, issues: FieldIssue[]): string {
  const body = fields.body ?? "";
  if (fields.isBase64Encoded !== true) return body;

  const bytes = decodeBase64(body);
  if (bytes === undefined) {
    issues.push({
      field: "body",
      message: "is not valid base64, but isBase64Encoded is true",
    });
    return "";
  }

  const text = decodeUtf8(bytes);
  if (text === undefined) {
    issues.push({
      field: "body",
      message: "is not UTF-8 text; send the body as UTF-8",
    });
    return "";
  }
  return text;
}

/**
 * Lower-cases header names and joins array values with ", ". Names that
 * differ only in case are joined the same way, in the order received.
 */
function normalizeHeaders(
  raw: Record<string, string | string[]>,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    const key = name.toLowerCase();
    const text = Array.isArray(value) ? value.join(", ") : value;
    const previous = headers[key];
    headers[key] = previous === undefined ? text : `${previous}, ${text}`;
  }
  return headers;
}

/**
 * Takes each key from queryString, falling back to queryStringParameters,
 * which API Gateway fills only with the parameters declared on the API.
 */
function mergeQuery(
  fields: HttpEventFields,
): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  const sources = [fields.queryStringParameters, fields.queryString];
  for (const source of sources) {
    for (const [key, value] of Object.entries(source ?? {})) {
      query[key] = Array.isArray(value) ? [...value] : value;
    }
  }
  return query;
}

function nonEmpty(text: string | null | undefined): string | undefined {
  return text === null || text === undefined || text === "" ? undefined : text;
}
