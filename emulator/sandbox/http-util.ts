import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import * as z from "zod";
import type { Logger } from "../../src/logging/logger";
import { KnobGate, knobUpdateSchema, type SandboxKnobs } from "./knobs";
import { LedgerStore } from "./ledger-store";

/** Largest request body a sandbox reads; larger bodies get 413. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Longest Idempotency-Key accepted, Stripe's documented limit (docs.stripe.com/idempotency). */
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export interface SandboxServer {
  /** Base URL such as `http://127.0.0.1:40123`. */
  url: string;
  port: number;
  close(): Promise<void>;
  /** Merges knob values; throws when a value is out of range. */
  setKnobs(knobs: Partial<SandboxKnobs>): void;
}

export interface SandboxOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** SQLite file holding the ledger and the idempotency keys. */
  dbPath: string;
  /** Key clients send as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  knobs?: Partial<SandboxKnobs>;
  logger?: Logger;
}

/** The `error` object of every sandbox error response. */
export interface ApiError {
  type: string;
  code: string;
  message: string;
  /** The request field or header at fault. */
  param?: string;
}

/** An error response thrown by a handler and sent as JSON. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiError,
    readonly headers: Record<string, string> = {},
  ) {
    super(error.message);
    this.name = "HttpError";
  }
}

/** A handler's response; `store: false` keeps it out of the idempotency store. */
export interface RouteResult {
  status: number;
  body: unknown;
  store?: boolean;
}

export interface RouteRequest {
  body: unknown;
  idempotencyKey: string;
  store: LedgerStore;
}

export interface Route {
  method: "GET" | "POST";
  path: string;
  /** True for routes that require an Idempotency-Key and replay stored responses. */
  idempotent: boolean;
  /** Runs inside a SQLite transaction; a thrown HttpError rolls it back. */
  handle(request: RouteRequest): RouteResult;
}

interface SandboxContext {
  name: string;
  apiKey: string;
  routes: Route[];
  store: LedgerStore;
  gate: KnobGate;
  logger?: Logger;
  /** Aborted by close(), which cancels latency waits. */
  closing: AbortController;
  /** Requests to the API routes since start, rejected ones included. */
  requests: number;
}

/** Creates an id such as `ch_3f9a…` with 96 random bits. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString("hex")}`;
}

/** Validates a parsed JSON body; a failure becomes a 400 naming the field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const unknownKey =
    issue?.code === "unrecognized_keys" ? issue.keys[0] : undefined;
  const param = unknownKey ?? (issue?.path.join(".") || "body");
  const problem = unknownKey
    ? "is not a known field"
    : (issue?.message ?? "is invalid");
  throw new HttpError(400, {
    type: "invalid_request_error",
    code: "parameter_invalid",
    message: `invalid request field "${param}": ${problem}`,
    param,
  });
}

/**
 * Starts a sandbox on 127.0.0.1 that serves `routes` under its knobs,
 * bearer auth, body limit and idempotency rules. It also serves
 * `GET /health` and `POST /_control`, which updates the knobs without auth
 * because the server only listens on loopback.
 */
export async function startSandbox(
  name: string,
  options: SandboxOptions,
  routes: Route[],
): Promise<SandboxServer> {
  const context: SandboxContext = {
    name,
    apiKey: options.apiKey,
    routes,
    store: LedgerStore.open(options.dbPath),
    gate: new KnobGate(options.knobs),
    logger: options.logger?.child({ sandbox: name }),
    closing: new AbortController(),
    requests: 0,
  };
  const server = http.createServer((req, res) => {
    handleRequest(context, req, res).catch((error: unknown) =>
      sendError(context, res, error),
    );
  });
  await listen(server, options.port);
  const port = (server.address() as AddressInfo).port;
  context.logger?.info({ port, dbPath: options.dbPath }, "sandbox listening");
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setKnobs: (knobs) => {
      context.gate.update(knobs);
    },
    close: () => closeSandbox(context, server),
  };
}

function listen(server: http.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}

async function closeSandbox(
  context: SandboxContext,
  server: http.Server,
): Promise<void> {
  if (context.closing.signal.aborted) return;
  context.closing.abort();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    // Keep-alive sockets from clients would otherwise hold close() open.
    server.closeAllConnections();
  });
  context.store.close();
  context.logger?.info("sandbox closed");
}

async function handleRequest(
  context: SandboxContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
  if (req.method === "GET" && path === "/health") {
    sendJson(res, 200, {
      status: "ok",
      sandbox: context.name,
      requests: context.requests,
    });
    return;
  }
  if (req.method === "POST" && path === "/_control") {
    await handleControl(context, req, res);
    return;
  }
  context.requests += 1;
  const route = findRoute(context.routes, req.method ?? "", path);
  await applyKnobs(context);
  checkAuthorization(req, context.apiKey);
  const result = route.idempotent
    ? await runIdempotent(context, route, req, path)
    : {
        ...route.handle({
          body: undefined,
          idempotencyKey: "",
          store: context.store,
        }),
        replayed: false,
      };
  const headers: Record<string, string> = result.replayed
    ? { "Idempotent-Replayed": "true" }
    : {};
  context.logger?.debug(
    {
      method: req.method,
      path,
      status: result.status,
      replayed: result.replayed,
    },
    "request handled",
  );
  sendJson(res, result.status, result.body, headers);
}

function findRoute(routes: Route[], method: string, path: string): Route {
  const matches = routes.filter((route) => route.path === path);
  const route = matches.find((candidate) => candidate.method === method);
  if (route) return route;
  if (matches.length > 0) {
    const allowed = matches.map((candidate) => candidate.method).join(", ");
    throw new HttpError(
      405,
      {
        type: "invalid_request_error",
        code: "method_not_allowed",
        message: `${method} is not allowed on ${path}; use ${allowed}`,
      },
      { Allow: allowed },
    );
  }
  throw new HttpError(404, {
    type: "invalid_request_error",
    code: "route_not_found",
    message: `no route for ${method} ${path}`,
  });
}

async function applyKnobs(context: SandboxContext): Promise<void> {
  const decision = await context.gate.apply(context.closing.signal);
  if (decision.kind === "rate_limited") {
    throw new HttpError(
      429,
      {
        type: "rate_limit_error",
        code: "rate_limited",
        message: `too many requests; retry after ${decision.retryAfterSeconds} s`,
      },
      { "Retry-After": String(decision.retryAfterSeconds) },
    );
  }
  if (decision.kind === "injected_error") {
    throw new HttpError(503, {
      type: "api_error",
      code: "temporarily_unavailable",
      message: "injected failure; retry later",
    });
  }
}

function checkAuthorization(req: http.IncomingMessage, apiKey: string): void {
  const header = req.headers.authorization ?? "";
  const presented = header.startsWith("Bearer ")
    ? header.slice("Bearer ".length)
    : "";
  // Comparing digests keeps the comparison constant-time for any key length.
  const digest = (value: string) => createHash("sha256").update(value).digest();
  if (presented !== "" && timingSafeEqual(digest(presented), digest(apiKey)))
    return;
  throw new HttpError(401, {
    type: "authentication_error",
    code: "invalid_api_key",
    message: "missing or invalid API key; send Authorization: Bearer <key>",
  });
}

/**
 * Follows Stripe's documented idempotency model (docs.stripe.com/idempotency).
 * The first response for a key is stored with a fingerprint of the request.
 * A repeat with the same fingerprint gets that response again, and a
 * different request under the same key gets 409. As at Stripe, 400s from
 * validation are not stored. Unlike Stripe, which replays even 500s,
 * responses the route marks `store: false` are not stored either, so the
 * test tokens' one-off 503 lets a retry succeed. Keys never expire here,
 * while Stripe may prune them after 24 hours.
 */
async function runIdempotent(
  context: SandboxContext,
  route: Route,
  req: http.IncomingMessage,
  path: string,
): Promise<RouteResult & { replayed: boolean }> {
  const idempotencyKey = readIdempotencyKey(req);
  const body = parseJson(await readBody(req, MAX_BODY_BYTES));
  context.closing.signal.throwIfAborted();
  const fingerprint = fingerprintOf(route.method, path, body);
  const { store } = context;
  return store.transaction(() => {
    const stored = store.findResponse(idempotencyKey);
    if (stored && stored.fingerprint !== fingerprint) {
      throw new HttpError(409, {
        type: "idempotency_error",
        code: "idempotency_key_reused",
        message: `Idempotency-Key "${idempotencyKey}" was already used with a different request`,
        param: "Idempotency-Key",
      });
    }
    if (stored)
      return { status: stored.status, body: stored.body, replayed: true };
    const result = route.handle({ body, idempotencyKey, store });
    if (result.store !== false)
      store.saveResponse(idempotencyKey, {
        fingerprint,
        status: result.status,
        body: result.body,
      });
    return { ...result, replayed: false };
  });
}

function readIdempotencyKey(req: http.IncomingMessage): string {
  const key = req.headers["idempotency-key"];
  if (
    typeof key === "string" &&
    key.length > 0 &&
    key.length <= MAX_IDEMPOTENCY_KEY_LENGTH
  )
    return key;
  throw new HttpError(400, {
    type: "invalid_request_error",
    code: "idempotency_key_missing",
    message: `the Idempotency-Key header is required, 1-${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
    param: "Idempotency-Key",
  });
}

/** Hashes the method, path and body with object keys sorted. */
function fingerprintOf(method: string, path: string, body: unknown): string {
  return createHash("sha256")
    .update(`${method} ${path}\n${canonicalJson(body)}`)
    .digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    // Keys of one object are unique, so the comparison never needs to return 0.
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

async function handleControl(
  context: SandboxContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const update = parseBody(
    knobUpdateSchema,
    parseJson(await readBody(req, MAX_BODY_BYTES)),
  );
  const knobs = context.gate.update(update);
  context.logger?.info({ knobs }, "sandbox knobs updated");
  sendJson(res, 200, { knobs });
}

/**
 * Reads the body up to `limitBytes`. Past the limit it rejects with 413 and
 * discards the rest, and the 413 response closes the connection.
 */
export function readBody(
  req: http.IncomingMessage,
  limitBytes: number,
): Promise<string> {
  const tooLarge = new HttpError(
    413,
    {
      type: "invalid_request_error",
      code: "body_too_large",
      message: `request body exceeds ${limitBytes} bytes`,
    },
    { Connection: "close" },
  );
  if (Number(req.headers["content-length"]) > limitBytes)
    return Promise.reject(tooLarge);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) {
        chunks.push(chunk);
        return;
      }
      req.off("data", onData);
      req.resume();
      reject(tooLarge);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.once("error", reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, {
      type: "invalid_request_error",
      code: "invalid_json",
      message: "request body is not valid JSON",
    });
  }
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

function sendError(
  context: SandboxContext,
  res: http.ServerResponse,
  error: unknown,
): void {
  if (res.headersSent || res.destroyed) return;
  if (context.closing.signal.aborted) {
    res.destroy();
    return;
  }
  if (error instanceof HttpError) {
    context.logger?.debug(
      { status: error.status, code: error.error.code },
      "request rejected",
    );
    sendJson(res, error.status, { error: error.error }, error.headers);
    return;
  }
  context.logger?.error({ err: error }, "sandbox request failed");
  sendJson(res, 500, {
    error: {
      type: "api_error",
      code: "internal_error",
      message: "internal sandbox error",
    },
  });
}
