// Request bodies and error responses of the trigger server: JSON responses,
// bodies read up to SCF's request limit, early 413s, and JSON errors for
// requests that Node's own parser rejects.
import {
  type IncomingMessage,
  maxHeaderSize,
  type ServerResponse,
  STATUS_CODES,
} from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";

/** SCF's limit on a synchronous invocation's request, in bytes. */
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

export function sendJson(
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

export type BodyResult =
  | { kind: "complete"; body: Buffer }
  | { kind: "too_large" }
  | { kind: "aborted" };

/**
 * Reads a request body of at most MAX_REQUEST_BYTES. A Content-Length over
 * the limit is rejected before any of the body is read, and a chunked body
 * stops being read at the chunk that crosses the limit. `aborted` means the
 * client closed the connection before the body ended.
 */
export function readBody(request: IncomingMessage): Promise<BodyResult> {
  const declared = Number(request.headers["content-length"]);
  if (declared > MAX_REQUEST_BYTES)
    return Promise.resolve({ kind: "too_large" });

  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (result: BodyResult) => {
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("error", onAborted);
      request.off("close", onAborted);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        request.pause();
        settle({ kind: "too_large" });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () =>
      settle({ kind: "complete", body: Buffer.concat(chunks) });
    const onAborted = () => settle({ kind: "aborted" });
    request.on("data", onData);
    request.once("end", onEnd);
    request.once("error", onAborted);
    request.once("close", onAborted);
  });
}

/**
 * Time a connection stays open after a 413, in milliseconds. The server
 * reads nothing more from it meanwhile, so a client still sending its body
 * reads the response before the close resets the connection.
 */
const TOO_LARGE_LINGER_MS = 500;

/**
 * Sends 413 with `Connection: close` and closes the connection without
 * reading the rest of the body. Reading stops because the request stays
 * paused, and ending the response makes Node end and destroy the socket.
 */
export function sendTooLarge(
  request: IncomingMessage,
  response: ServerResponse,
): void {
  request.pause();
  const text = JSON.stringify({
    error: "payload_too_large",
    message: `request exceeds ${MAX_REQUEST_BYTES} bytes`,
  });
  response.writeHead(413, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    connection: "close",
  });
  response.write(text);
  const linger = setTimeout(() => response.end(), TOO_LARGE_LINGER_MS);
  response.once("close", () => clearTimeout(linger));
}

/** Error names and statuses for the parser errors that are not a plain 400. */
const CLIENT_ERROR_STATUS: Record<string, { status: number; error: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    error: "request_header_fields_too_large",
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, error: "payload_too_large" },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, error: "request_timeout" },
};

function clientErrorMessage(error: NodeJS.ErrnoException): string {
  if (error.code === "HPE_HEADER_OVERFLOW")
    return `request headers exceed ${maxHeaderSize} bytes`;
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT")
    return "the request was not received in time";
  const reason = (error as { reason?: string }).reason ?? error.message;
  return `malformed HTTP request: ${reason}`;
}

/**
 * Sends a JSON error for a request that Node's HTTP parser rejected
 * (unknown method, both Content-Length and Transfer-Encoding, bytes that
 * are not HTTP, headers over `maxHeaderSize`) and closes the connection.
 * As in Node's default handler, nothing is written once a response on the
 * same connection has started, because the client would read a corrupt
 * stream. Socket errors such as ECONNRESET only close the connection.
 */
export function rejectClientError(
  error: NodeJS.ErrnoException,
  socket: Duplex,
  logger: Logger,
): void {
  const code = error.code ?? "";
  const inProgress = (socket as Socket & { _httpMessage?: ServerResponse })
    ._httpMessage;
  const canRespond =
    (code.startsWith("HPE_") || code === "ERR_HTTP_REQUEST_TIMEOUT") &&
    socket.writable &&
    inProgress?.headersSent !== true;
  if (!canRespond) {
    logger.debug(
      { code: error.code },
      "client connection closed with an error",
    );
    socket.destroy();
    return;
  }

  const { status, error: name } = CLIENT_ERROR_STATUS[code] ?? {
    status: 400,
    error: "bad_request",
  };
  const body = JSON.stringify({
    error: name,
    message: clientErrorMessage(error),
  });
  logger.debug(
    { code: error.code, status },
    "rejected a request that is not valid HTTP",
  );
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      "content-type: application/json; charset=utf-8\r\n" +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      "connection: close\r\n\r\n" +
      body,
  );
  socket.once("finish", () => socket.destroy());
}
