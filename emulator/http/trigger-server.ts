import { randomUUID } from "node:crypto";
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import type { HttpRoute } from "../config/serverless-config";
import {
  buildApigwEvent,
  buildFunctionUrlEvent,
  type IncomingHttp,
} from "../events/build-http-event";
import type { FunctionPool } from "../runtime/function-pool";
import type { InvocationResult } from "../runtime/invocation";
import { ADMIN_PREFIX, type AdminContext, handleAdmin } from "./admin-routes";
import { readBody, rejectClientError, sendJson, sendTooLarge } from "./http-io";
import { type CompiledRoute, compileRoute, matchRoute } from "./routes";

export { MAX_REQUEST_BYTES } from "./http-io";

/**
 * Time that `close()` waits past the longest timeout of the HTTP-triggered
 * functions for requests in progress, in milliseconds.
 */
export const DRAIN_GRACE_MS = 1000;

export interface TriggerServerOptions {
  port: number;
  routes: HttpRoute[];
  /** Functions with a Function URL, served under `/<function-key>/`. */
  functionUrls: string[];
  pools: ReadonlyMap<string, FunctionPool>;
  stage: string;
  logger: Logger;
  /** Serves the emulator's own routes under `ADMIN_PREFIX`. */
  admin?: AdminContext;
}

export interface TriggerServer {
  url: string;
  port: number;
  /** Maximum time `close()` waits for requests in progress, in milliseconds. */
  drainTimeoutMs: number;
  /**
   * Stops accepting connections, closes idle keep-alive connections, lets
   * requests in progress finish and closes their connections after the
   * response. Connections still open after `drainTimeoutMs` are destroyed.
   */
  close(): Promise<void>;
}

/**
 * Sends an integrated response back as HTTP. A return value that is not
 * one is a 502, as API Gateway returns "Invalid scf response".
 */
function sendIntegrated(
  response: ServerResponse,
  result: InvocationResult,
  requestId: string,
): void {
  if (!result.ok) {
    const status = result.timedOut ? 504 : 502;
    // NOTE: SCF's documented timeout response through API Gateway is HTTP 200
    // with the error body; the emulator uses 504 so clients notice.
    sendJson(response, status, {
      errorCode: -1,
      errorMessage: result.error.errorMessage,
      requestId,
    });
    return;
  }

  const value = result.value as Record<string, unknown> | null;
  const valid =
    value !== null &&
    typeof value === "object" &&
    typeof value.statusCode === "number" &&
    (value.body === undefined || typeof value.body === "string");
  if (!valid) {
    sendJson(response, 502, {
      errorCode: 403,
      errorMessage: `requestId ${requestId}, Invalid scf response. expected scf response valid JSON.`,
    });
    return;
  }

  const headers: Record<string, string> = {};
  for (const [name, headerValue] of Object.entries(
    (value.headers as Record<string, unknown>) ?? {},
  )) {
    // While the server stops, its `Connection: close` wins over the function's.
    if (name.toLowerCase() === "connection" && response.hasHeader(name))
      continue;
    headers[name] = String(headerValue);
  }
  headers["x-request-id"] = requestId;
  const body = (value.body as string | undefined) ?? "";
  response.writeHead(value.statusCode as number, headers);
  response.end(
    value.isBase64Encoded === true ? Buffer.from(body, "base64") : body,
  );
}

async function serveAdmin(
  admin: AdminContext,
  request: IncomingMessage,
  response: ServerResponse,
  method: string,
  path: string,
): Promise<void> {
  const read = await readBody(request);
  if (read.kind === "aborted") return;
  if (read.kind === "too_large") {
    sendTooLarge(request, response);
    return;
  }
  let body: unknown = {};
  try {
    if (read.body.length > 0) body = JSON.parse(read.body.toString("utf8"));
  } catch {
    sendJson(response, 400, {
      error: "invalid_request",
      message: "body is not valid JSON",
    });
    return;
  }
  const result = handleAdmin(admin, method, path, body);
  sendJson(response, result.status, result.body);
}

/**
 * Serves the HTTP triggers of serverless.yml on 127.0.0.1: each request
 * becomes the SCF event of its trigger with a fresh request id, runs
 * through the function's pool, and its integrated response goes back.
 */
export async function startTriggerServer(
  options: TriggerServerOptions,
): Promise<TriggerServer> {
  const routes: CompiledRoute[] = options.routes.map(compileRoute);

  async function handle(
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const requestId = randomUUID();
    const url = new URL(request.url ?? "/", "http://localhost");
    const method = (request.method ?? "GET").toUpperCase();
    if (options.admin && url.pathname.startsWith(ADMIN_PREFIX)) {
      await serveAdmin(options.admin, request, response, method, url.pathname);
      return;
    }

    let target:
      | { pool: FunctionPool; build: (incoming: IncomingHttp) => object }
      | undefined;
    const segments = url.pathname.split("/");
    const urlFunction = segments[1] ?? "";
    if (options.functionUrls.includes(urlFunction)) {
      const pool = options.pools.get(urlFunction) as FunctionPool;
      const path = `/${segments.slice(2).join("/")}`;
      target = {
        pool,
        build: (incoming) =>
          buildFunctionUrlEvent({ ...incoming, path }, requestId),
      };
    } else {
      const match = matchRoute(routes, method, url.pathname);
      if (match.kind === "not_found") {
        sendJson(response, 404, {
          error: "not_found",
          message: `no route for ${method} ${url.pathname}`,
        });
        return;
      }
      if (match.kind === "method_not_allowed") {
        sendJson(
          response,
          405,
          {
            error: "method_not_allowed",
            message: `${method} is not allowed on ${url.pathname}; use ${match.allowed.join(", ")}`,
          },
          { allow: match.allowed.join(", ") },
        );
        return;
      }
      const route = match.route;
      const pool = options.pools.get(route.functionKey) as FunctionPool;
      target = {
        pool,
        build: (incoming) =>
          route.shape === "function-url"
            ? buildFunctionUrlEvent(incoming, requestId)
            : buildApigwEvent(
                incoming,
                {
                  path: route.path,
                  pathParameters: match.pathParameters,
                  serviceId: `service-${route.serviceName}`,
                  stage: options.stage,
                },
                requestId,
              ),
      };
    }

    const functionKey = target.pool.spec.key;
    const read = await readBody(request);
    if (read.kind === "aborted") {
      options.logger.debug(
        { functionKey, requestId },
        "client closed the connection before the request body ended; the function was not invoked",
      );
      return;
    }
    if (read.kind === "too_large") {
      sendTooLarge(request, response);
      return;
    }
    const incoming: IncomingHttp = {
      method,
      path: url.pathname,
      rawQuery: url.search.replace(/^\?/, ""),
      headers: request.headers,
      body: read.body,
      sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
    };
    // The invocation runs to its end even if the client disconnects, and only
    // its response is dropped. NOTE: not confirmed that API Gateway and
    // Function URLs keep running a function after its client disconnects.
    const result = await target.pool.invoke(target.build(incoming), requestId);
    if (!result.ok) {
      options.logger.warn(
        { functionKey, requestId, error: result.error.errorMessage },
        "invocation failed",
      );
    }
    if (request.socket.destroyed) {
      options.logger.debug(
        { functionKey, requestId, ok: result.ok },
        "connection closed before the response; the invocation ran once and its response was dropped",
      );
      return;
    }
    sendIntegrated(response, result, requestId);
  }

  const drainTimeoutMs = longestTimeoutMs(options) + DRAIN_GRACE_MS;
  const inFlight = new Set<ServerResponse>();
  let draining = false;

  const server: Server = createServer((request, response) => {
    if (draining) {
      sendJson(
        response,
        503,
        {
          error: "service_unavailable",
          message:
            "the emulator is stopping; send the request after it starts again",
        },
        { connection: "close" },
      );
      return;
    }
    inFlight.add(response);
    handle(request, response)
      .catch((error: unknown) => {
        options.logger.error({ err: error }, "HTTP trigger failed");
        if (!response.headersSent)
          sendJson(response, 500, {
            error: "internal_error",
            message: "emulator error",
          });
        else response.destroy();
      })
      .finally(() => inFlight.delete(response));
  });
  server.keepAliveTimeout = 65_000;
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) =>
    rejectClientError(error, socket, options.logger),
  );

  async function close(): Promise<void> {
    draining = true;
    // Responses still in progress close their connection once written.
    for (const response of inFlight)
      if (!response.headersSent) response.setHeader("connection", "close");
    // server.close() stops listening and, since Node 19, closes idle
    // keep-alive connections at once. It calls back when the last one closes.
    const closed = new Promise<void>((resolve) =>
      server.close(() => resolve()),
    );
    if (inFlight.size > 0) {
      options.logger.info(
        { inFlight: inFlight.size, drainTimeoutMs },
        "HTTP triggers stopped accepting connections; waiting for the requests in progress",
      );
    }
    const deadline = setTimeout(() => {
      options.logger.warn(
        { inFlight: inFlight.size, drainTimeoutMs },
        "HTTP connections still open after the drain timeout; closing them",
      );
      server.closeAllConnections();
    }, drainTimeoutMs);
    await closed;
    clearTimeout(deadline);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, drainTimeoutMs, close };
}

/**
 * Returns the longest timeout of the functions served over HTTP, in
 * milliseconds. A request that has an instance ends by then, but one still
 * queued for an instance can take longer.
 */
function longestTimeoutMs(options: TriggerServerOptions): number {
  const keys = new Set([
    ...options.routes.map((route) => route.functionKey),
    ...options.functionUrls,
  ]);
  let longest = 0;
  for (const key of keys) {
    const seconds = options.pools.get(key)?.spec.timeoutSeconds ?? 0;
    longest = Math.max(longest, seconds * 1000);
  }
  return longest;
}
