import { randomUUID } from "node:crypto";
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { Delivery, MessageStore } from "../messages/message-store";
import {
  ApiErrorCode,
  CloudApiError,
  errorBody,
  missingParameter,
  successBody,
  toCloudApiError,
} from "./api-errors";
import { type ActionContext, CMQ_ACTIONS } from "./cmq-actions";
import { verifyTc3Request } from "./tc3-signature";

export interface CloudApiOptions {
  /** The only address the server binds. */
  host?: "127.0.0.1";
  /** TCP port, or 0 for a free one. */
  port: number;
  store: MessageStore;
  /** SecretKey by SecretId, for signature checks. */
  credentials: Record<string, string>;
  /** Called with a publish's deliveries after its transaction commits. */
  onPublish?: (deliveries: Delivery[]) => void;
  logger?: Logger;
  /** Failure injection for tests of producers. */
  faults?: { refusePublish?: () => boolean };
}

export interface CloudApi {
  /** Base URL, `http://127.0.0.1:PORT`. */
  url: string;
  /** `127.0.0.1:PORT`, the value for the SDK's `httpProfile.endpoint`. */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/** The only API version of the TDMQ CMQ actions. */
export const API_VERSION = "2020-02-17";

/**
 * Max request body. Tencent accepts TC3-signed POST bodies up to 10 MB, but a
 * CMQ message is at most 1 MB, so the emulator rejects larger bodies early.
 * NOTE: a message close to 1 MB plus its JSON framing exceeds this limit here
 * while Tencent would accept the request.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Starts the emulator's Tencent Cloud API endpoint for the TDMQ CMQ actions on
 * 127.0.0.1. Requests are TC3-HMAC-SHA256-signed POSTs with a JSON body, as
 * tencentcloud-sdk-nodejs sends them. Every reply is HTTP 200 with the API 3.0
 * `Response` envelope.
 */
export async function startCloudApi(
  options: CloudApiOptions,
): Promise<CloudApi> {
  const host = "127.0.0.1";
  const server = createServer((request, response) => {
    void handleRequest(request, response, options);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  options.logger?.info({ host, port }, "cloud API listening");
  return {
    url: `http://${host}:${port}`,
    endpoint: `${host}:${port}`,
    port,
    close: () => closeServer(server, options.logger),
  };
}

async function handleRequest(
  request: IncomingMessage,
  response: ServerResponse,
  options: CloudApiOptions,
): Promise<void> {
  const requestId = randomUUID();
  const action = headerValue(request, "x-tc-action");
  const started = performance.now();
  try {
    const body = await readBody(request, MAX_BODY_BYTES);
    const fields = processRequest(request, body, options);
    sendJson(request, response, successBody(fields, requestId));
    const durationMs = Math.round(performance.now() - started);
    options.logger?.debug(
      { action, requestId, durationMs },
      "cloud API request succeeded",
    );
  } catch (error) {
    const apiError = toCloudApiError(error);
    logFailure(options.logger, error, apiError, { action, requestId });
    sendJson(request, response, errorBody(apiError, requestId));
  }
}

/** Checks the signature, version and action, then runs the action. */
function processRequest(
  request: IncomingMessage,
  body: Buffer,
  options: CloudApiOptions,
) {
  if (request.method !== "POST") {
    throw new CloudApiError(
      ApiErrorCode.invalidParameter,
      `HTTP method ${request.method} is not supported. Send a POST with a JSON body.`,
    );
  }
  const check = verifyTc3Request(
    {
      method: "POST",
      headers: request.headers,
      body,
      query: queryOf(request.url),
    },
    (secretId) =>
      Object.hasOwn(options.credentials, secretId)
        ? options.credentials[secretId]
        : undefined,
    Math.floor(Date.now() / 1000),
  );
  if (!check.ok) throw new CloudApiError(check.code, check.message);

  const version = headerValue(request, "x-tc-version");
  if (version === undefined)
    throw missingParameter("Version (header X-TC-Version)");
  if (version !== API_VERSION) {
    throw new CloudApiError(
      ApiErrorCode.noSuchVersion,
      `API version ${version} does not exist. The CMQ actions use ${API_VERSION}.`,
    );
  }
  const action = headerValue(request, "x-tc-action");
  if (action === undefined)
    throw missingParameter("Action (header X-TC-Action)");
  const handler = CMQ_ACTIONS.get(action);
  if (!handler) {
    throw new CloudApiError(
      ApiErrorCode.invalidAction,
      `The action ${action} does not exist.`,
    );
  }
  const context: ActionContext = {
    store: options.store,
    onPublish: options.onPublish,
    faults: options.faults,
    logger: options.logger,
  };
  return handler(parseJson(body), context);
}

/** Reads the whole body, or throws InvalidParameter once it exceeds `maxBytes`. */
function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped, so the client still gets the reply.
      if (size <= maxBytes) chunks.push(chunk);
    });
    request.on("end", () => {
      if (size <= maxBytes) {
        resolve(Buffer.concat(chunks));
        return;
      }
      reject(
        new CloudApiError(
          ApiErrorCode.invalidParameter,
          `The request body of ${size} bytes exceeds the limit of ${maxBytes} bytes.`,
        ),
      );
    });
    request.on("error", reject);
  });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new CloudApiError(
      ApiErrorCode.invalidParameter,
      "The request body is not valid JSON.",
    );
  }
}

function sendJson(
  request: IncomingMessage,
  response: ServerResponse,
  body: unknown,
): void {
  if (response.destroyed) return;
  const json = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(json),
  };
  const traceId = headerValue(request, "x-tc-traceid");
  if (traceId !== undefined) headers["X-TC-TraceId"] = traceId;
  response.writeHead(200, headers);
  response.end(json);
}

function logFailure(
  logger: Logger | undefined,
  error: unknown,
  apiError: CloudApiError,
  ids: { action: string | undefined; requestId: string },
): void {
  if (!logger) return;
  const fields = { ...ids, code: apiError.code, message: apiError.message };
  if (apiError.code === ApiErrorCode.internalError) {
    logger.error(
      { ...fields, err: error },
      "cloud API request failed with an internal error",
    );
  } else {
    logger.warn(fields, "cloud API request rejected");
  }
}

function headerValue(
  request: IncomingMessage,
  name: string,
): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function queryOf(url: string | undefined): string {
  const mark = url?.indexOf("?") ?? -1;
  return mark === -1 || url === undefined ? "" : url.slice(mark + 1);
}

function closeServer(
  server: Server,
  logger: Logger | undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => {
      if (error) {
        reject(error);
        return;
      }
      logger?.info("cloud API stopped");
      resolve();
    });
    server.closeAllConnections();
  });
}
