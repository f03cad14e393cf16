import { connect, type Socket } from "node:net";

export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/**
 * Decodes a chunked body that starts at `start`. Returns undefined while the
 * last chunk has not arrived.
 */
function decodeChunked(raw: Buffer, start: number): Buffer | undefined {
  const parts: Buffer[] = [];
  let offset = start;
  for (;;) {
    const lineEnd = raw.indexOf("\r\n", offset);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(
      raw.subarray(offset, lineEnd).toString("latin1"),
      16,
    );
    const dataStart = lineEnd + 2;
    if (raw.length < dataStart + size + 2) return undefined;
    if (size === 0) return Buffer.concat(parts);
    parts.push(raw.subarray(dataStart, dataStart + size));
    offset = dataStart + size + 2;
  }
}

/**
 * Parses the first HTTP/1.1 response in `raw`, with a Content-Length or a
 * chunked body. Returns undefined while its head or body is incomplete.
 */
export function parseResponse(raw: Buffer): RawResponse | undefined {
  const headEnd = raw.indexOf("\r\n\r\n");
  if (headEnd < 0) return undefined;

  const [statusLine, ...headerLines] = raw
    .subarray(0, headEnd)
    .toString("latin1")
    .split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line
      .slice(colon + 1)
      .trim();
  }

  let body: Buffer | undefined;
  if (headers["transfer-encoding"] === "chunked") {
    body = decodeChunked(raw, headEnd + 4);
  } else {
    const length = Number(headers["content-length"] ?? 0);
    body = raw.subarray(headEnd + 4, headEnd + 4 + length);
    if (body.length < length) body = undefined;
  }
  if (body === undefined) return undefined;
  return {
    status: Number((statusLine ?? "").split(" ")[1]),
    headers,
    body: body.toString("utf8"),
  };
}

/**
 * A client connection on a plain TCP socket, for requests that fetch cannot
 * send: malformed ones, partial ones, and ones whose client goes away. It
 * records every byte the server sends and whether the server closed it.
 */
export class RawConnection {
  private readonly chunks: Buffer[] = [];
  private closedFlag = false;
  private readonly closedPromise: Promise<void>;
  /** Error code of the socket (ECONNRESET, EPIPE) if it failed. */
  errorCode: string | undefined;

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => this.chunks.push(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      this.errorCode = error.code;
    });
    this.closedPromise = new Promise((resolve) =>
      socket.once("close", () => {
        this.closedFlag = true;
        resolve();
      }),
    );
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new RawConnection(socket));
      });
      socket.once("error", reject);
    });
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  received(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Writes `data` and resolves once the socket has taken it. */
  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.write(data, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** Resolves with the first complete response, or rejects after `timeoutMs`. */
  async response(timeoutMs = 5000): Promise<RawResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = parseResponse(this.received());
      if (parsed) return parsed;
      if (this.closedFlag)
        throw new Error(
          `connection closed (${this.errorCode ?? "by the server"}) without a complete response: ` +
            JSON.stringify(this.received().toString("latin1").slice(0, 200)),
        );
      if (Date.now() > deadline)
        throw new Error(`no complete response within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Resolves once the connection is closed, or rejects after `timeoutMs`. */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`connection still open after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.closedPromise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Returns the error code of a connection attempt to `port`, or "connected". */
export function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) =>
      resolve(error.code ?? "error"),
    );
  });
}

/** Builds the head of a `POST /orders` request whose body is `length` bytes. */
export function postOrdersHead(
  length: number,
  headers: Record<string, string> = {},
): string {
  const lines = [
    "POST /orders HTTP/1.1",
    "Host: 127.0.0.1",
    "Content-Type: application/json",
    `Content-Length: ${length}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join("\r\n")}\r\n\r\n`;
}
