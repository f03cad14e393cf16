import * as http from "node:http";
import type * as https from "node:https";
import type * as zlib from "node:zlib";

/** A response whose whole body has been read. */
export interface JsonResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body decoded as UTF-8, after any content coding is removed. */
  text: string;
}

/** An attempt that did not finish within its time limit. */
export class RequestTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`request timed out after ${timeoutMs} ms`);
    this.name = "TimeoutError";
  }
}

/**
 * A keep-alive connection pool for one origin, and the module that sends
 * requests through it. `node:https` is loaded only for https URLs, because
 * loading it costs several milliseconds of a cold start.
 */
export interface RequestTransport {
  request: typeof http.request;
  agent: http.Agent;
}

/**
 * Creates the transport for `url`'s protocol, with a keep-alive agent.
 * Idle pooled sockets do not keep the process alive (Node's Agent unrefs
 * them), so a function instance or a CLI exits as it would without them.
 */
export function transportFor(url: URL): RequestTransport {
  if (url.protocol === "https:") {
    const secure = require("node:https") as typeof https;
    return {
      request: secure.request,
      agent: new secure.Agent({ keepAlive: true }),
    };
  }
  if (url.protocol === "http:") {
    return {
      request: http.request,
      agent: new http.Agent({ keepAlive: true }),
    };
  }
  throw new RangeError(
    `unsupported protocol ${url.protocol} in ${url.href}; use http: or https:`,
  );
}

/**
 * Sends one POST with a JSON body and reads the whole response. It
 * rejects with RequestTimeoutError when connecting, sending and reading
 * together take more than `timeoutMs`, and with the socket's error (which
 * has a `code` such as ECONNREFUSED) when the connection fails. Redirects
 * are not followed: a 3xx resolves like any other status.
 */
export function postJson(
  transport: RequestTransport,
  url: URL,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    let settled = false;
    const finish = (error: unknown, response?: JsonResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (timedOut) reject(new RequestTimeoutError(timeoutMs));
      else if (response) resolve(response);
      else reject(error);
    };

    const request = transport.request(url, {
      method: "POST",
      agent: transport.agent,
      headers: {
        ...headers,
        "Content-Type": "application/json",
        "Content-Length": String(Buffer.byteLength(body)),
        // Compressed bodies are still decoded below if a server sends one.
        "Accept-Encoding": "identity",
      },
    });
    const timer = setTimeout(() => {
      timedOut = true;
      request.destroy(new RequestTimeoutError(timeoutMs));
    }, timeoutMs);

    request.on("error", (error) => finish(error));
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", (error) => finish(error));
      response.on("aborted", () =>
        finish(
          Object.assign(new Error("response aborted"), { code: "ECONNRESET" }),
        ),
      );
      response.on("end", () => {
        let text: string;
        try {
          text = decodeBody(
            Buffer.concat(chunks),
            response.headers["content-encoding"],
          );
        } catch (error) {
          finish(error);
          return;
        }
        finish(undefined, {
          status: response.statusCode ?? 0,
          headers: response.headers,
          text,
        });
      });
    });
    request.end(body);
  });
}

/**
 * Removes a gzip, deflate or br content coding. The request sends
 * `Accept-Encoding: identity`, so only a server that compresses regardless
 * reaches the decoders, and `node:zlib` is loaded only then.
 */
function decodeBody(raw: Buffer, encoding: string | undefined): string {
  const coding = (encoding ?? "identity").trim().toLowerCase();
  if (coding === "identity" || coding === "") return raw.toString("utf8");
  const codec = require("node:zlib") as typeof zlib;
  if (coding === "gzip" || coding === "x-gzip") {
    return codec.gunzipSync(raw).toString("utf8");
  }
  if (coding === "deflate") {
    // Some servers send raw DEFLATE without the zlib wrapper that RFC 9110 requires.
    try {
      return codec.inflateSync(raw).toString("utf8");
    } catch {
      return codec.inflateRawSync(raw).toString("utf8");
    }
  }
  if (coding === "br") return codec.brotliDecompressSync(raw).toString("utf8");
  throw Object.assign(new Error(`unsupported content coding ${coding}`), {
    code: "ERR_CONTENT_CODING",
  });
}
