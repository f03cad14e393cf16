import { randomUUID } from "node:crypto";
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
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
import { type CompiledRoute, compileRoute, matchRoute } from "./routes";

/** SCF's limit on a synchronous invocation's request, in bytes. */
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

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
  close(): Promise<void>;
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    ...headers,
  });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        resolve(undefined);
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () =>
      resolve(size > MAX_REQUEST_BYTES ? undefined : Buffer.concat(chunks)),
    );
    request.on("error", reject);
  });
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
  const raw = (await readBody(request)) ?? Buffer.alloc(0);
  let body: unknown = {};
  try {
    if (raw.length > 0) body = JSON.parse(raw.toString("utf8"));
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

    const body = await readBody(request);
    if (body === undefined) {
      sendJson(response, 413, {
        error: "payload_too_large",
        message: `request exceeds ${MAX_REQUEST_BYTES} bytes`,
      });
      return;
    }
    const incoming: IncomingHttp = {
      method,
      path: url.pathname,
      rawQuery: url.search.replace(/^\?/, ""),
      headers: request.headers,
      body,
      sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
    };
    const result = await target.pool.invoke(target.build(incoming), requestId);
    if (!result.ok) {
      options.logger.warn(
        {
          functionKey: target.pool.spec.key,
          requestId,
          error: result.error.errorMessage,
        },
        "invocation failed",
      );
    }
    sendIntegrated(response, result, requestId);
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.logger.error({ err: error }, "HTTP trigger failed");
      if (!response.headersSent)
        sendJson(response, 500, {
          error: "internal_error",
          message: "emulator error",
        });
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
