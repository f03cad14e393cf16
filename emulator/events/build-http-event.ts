import { decodeUtf8 } from "../../src/scf/body-encoding";

/** An HTTP request as the emulator's server received it. */
export interface IncomingHttp {
  method: string;
  path: string;
  /** Query string without the leading "?"; "" when the URL has none. */
  rawQuery: string;
  /** Headers in the form of Node's `IncomingMessage.headers`. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  sourceIp: string;
}

/** The API Gateway route that matched a request. */
export interface ApigwRoute {
  /** Path template of the API, such as `/orders/{id}`. */
  path: string;
  pathParameters: Record<string, string>;
  serviceId: string;
  stage: string;
}

/**
 * Builds the event an API Gateway trigger sends for `req`. Header names keep
 * the case received. A body that is not UTF-8 text is sent as base64 with
 * `isBase64Encoded: true`, as API Gateway does when Base64 is enabled.
 */
export function buildApigwEvent(
  req: IncomingHttp,
  route: ApigwRoute,
  requestId: string,
): object {
  const method = req.method.toUpperCase();
  const body = encodeBody(req.body);
  return {
    requestContext: {
      serviceId: route.serviceId,
      path: route.path,
      httpMethod: method,
      requestId,
      identity: {},
      sourceIp: req.sourceIp,
      stage: route.stage,
    },
    headers: joinHeaders(req.headers, false),
    body: body.text,
    pathParameters: { ...route.pathParameters },
    // API Gateway fills queryStringParameters and headerParameters only with
    // the parameters declared on the API, and the emulator declares none.
    queryStringParameters: {},
    headerParameters: {},
    stageVariables: { stage: route.stage },
    path: req.path,
    queryString: parseQuery(req.rawQuery),
    httpMethod: method,
    isBase64Encoded: body.isBase64Encoded,
  };
}

/**
 * Builds the event a Function URL sends to an event function for `req`,
 * with lower-case header names and the client address in
 * `x-scf-remote-addr`, which replaces any value the client sent.
 *
 * NOTE: the Function URL docs list no request-id header for event
 * functions, so `_requestId` is not put in the event. The handler gets it
 * from `context.request_id`.
 */
export function buildFunctionUrlEvent(
  req: IncomingHttp,
  _requestId: string,
): object {
  const headers = joinHeaders(req.headers, true);
  headers["x-scf-remote-addr"] = req.sourceIp;

  const body = encodeBody(req.body);
  const event: Record<string, unknown> = {
    body: body.text,
    headers,
    httpMethod: req.method.toUpperCase(),
    path: req.path,
    queryString: parseQuery(req.rawQuery),
  };
  // NOTE: the Function URL docs remove isBase64Encoded from the event and do
  // not say how a binary body arrives. The emulator adds the field only for
  // a body that is not UTF-8 text, and sends that body as base64.
  if (body.isBase64Encoded) event.isBase64Encoded = true;
  return event;
}

function encodeBody(bytes: Buffer): { text: string; isBase64Encoded: boolean } {
  const text = decodeUtf8(bytes);
  if (text !== undefined) return { text, isBase64Encoded: false };
  return { text: bytes.toString("base64"), isBase64Encoded: true };
}

/** Drops undefined values and joins array values with ", ". */
function joinHeaders(
  raw: IncomingHttp["headers"],
  lowerCaseNames: boolean,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const key = lowerCaseNames ? name.toLowerCase() : name;
    const text = Array.isArray(value) ? value.join(", ") : value;
    const previous = headers[key];
    headers[key] = previous === undefined ? text : `${previous}, ${text}`;
  }
  return headers;
}

/**
 * Decodes a query string. A key that appears more than once gets an array
 * of its values in URL order.
 *
 * NOTE: the SCF docs show only single-valued queryString entries. Arrays
 * for repeated keys are this emulator's choice and match what
 * `parseHttpEvent` accepts.
 */
function parseQuery(rawQuery: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  const params = new URLSearchParams(rawQuery.replace(/^\?/, ""));
  for (const [key, value] of params) {
    const previous = query[key];
    if (previous === undefined) query[key] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else query[key] = [previous, value];
  }
  return query;
}
