import { setTimeout as sleep } from "node:timers/promises";
import type { z } from "zod/mini";
import { PermanentError, TransientError } from "../errors";
import type { Logger } from "../logging/logger";
import {
  type JsonResponse,
  postJson,
  type RequestTransport,
  transportFor,
} from "./json-request";

export interface ProviderClientOptions {
  /** Provider base URL such as `https://api.example.com`; paths are appended to it. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`; never logged. */
  apiKey: string;
  /** Limit for one attempt, in milliseconds. */
  timeoutMs: number;
  /** Attempts per call, the first included; default 3. */
  maxAttempts?: number;
  logger?: Logger;
  /** Epoch milliseconds by which the whole call, retries included, must end; default none. */
  deadline?: () => number;
}

export const DEFAULT_MAX_ATTEMPTS = 3;
const BACKOFF_BASE_MS = 50;
const BACKOFF_CAP_MS = 1_000;
const MAX_PROVIDER_MESSAGE_LENGTH = 300;

/** A failed attempt that a later attempt may fix. */
interface RetryableFailure {
  /** Status and error code, or the network error, for messages and logs. */
  reason: string;
  status?: number;
  retryAfterMs?: number;
  cause?: unknown;
}

type AttemptResult =
  { ok: true; body: unknown } | { ok: false; failure: RetryableFailure };

/**
 * Sends JSON POSTs to one provider and classifies the outcome once.
 * Network errors, timeouts, 5xx and 429 are retried with exponential backoff
 * and full jitter: base 50 ms, cap 1 s, and at least Retry-After up to the cap.
 * After `maxAttempts` attempts, or when the next one would pass the deadline,
 * it throws TransientError. Every other non-2xx status throws PermanentError
 * with the provider's error code, or `provider_rejected` when the body has none.
 * Every attempt sends the same Idempotency-Key, so a retry after a lost
 * response cannot charge or ship twice.
 *
 * Requests go through node:http or node:https with a keep-alive agent of
 * this client, which keeps connections open between calls. A pooled
 * connection that the provider closed in the meantime fails with a network
 * error, which is retried like any other. Node's global fetch is not used
 * because its first call loads undici, about 15 ms of a cold start on a
 * 2-core VM (Node 20).
 */
export class HttpProvider {
  private readonly maxAttempts: number;
  private readonly baseUrl: string;
  private readonly transport: RequestTransport;

  constructor(
    private readonly provider: string,
    private readonly options: ProviderClientOptions,
  ) {
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new RangeError(
        `${provider} client: maxAttempts must be a positive integer, got ${options.maxAttempts}`,
      );
    }
    if (!(options.timeoutMs > 0)) {
      throw new RangeError(
        `${provider} client: timeoutMs must be positive, got ${options.timeoutMs}`,
      );
    }
    const base = new URL(options.baseUrl);
    this.transport = transportFor(base);
    this.baseUrl = base.href.replace(/\/+$/, "");
  }

  /**
   * POSTs `body` to `path` and returns the 2xx body parsed by `schema`.
   * `callDeadline` (epoch ms) applies to this call on top of the client's `deadline()`.
   */
  async post<T>(
    path: string,
    body: unknown,
    idempotencyKey: string,
    schema: z.ZodMiniType<T>,
    callDeadline?: number,
  ): Promise<T> {
    const deadline = this.deadlineOf(callDeadline);
    let failure: RetryableFailure | undefined;
    let attempts = 0;
    // Failures that use up one of maxAttempts. A 429 means "retry later",
    // so with a deadline it is retried until the deadline instead, and a
    // long rate limit delays the order rather than dead-lettering it.
    let failures = 0;
    let stoppedByDeadline = false;
    while (failures < this.maxAttempts) {
      const timeoutMs = this.attemptTimeoutMs(deadline);
      if (timeoutMs === undefined) {
        stoppedByDeadline = true;
        break;
      }
      attempts += 1;
      const result = await this.attempt(path, body, idempotencyKey, timeoutMs);
      if (result.ok) return this.parseResponse(path, result.body, schema);
      failure = result.failure;
      const rateLimited = failure.status === 429 && deadline !== undefined;
      if (!rateLimited) failures += 1;
      if (failures === this.maxAttempts) break;
      const delayMs = backoffDelayMs(attempts, failure.retryAfterMs);
      if (deadline !== undefined && Date.now() + delayMs >= deadline) {
        stoppedByDeadline = true;
        break;
      }
      this.options.logger?.warn(
        {
          provider: this.provider,
          path,
          attempt: attempts,
          maxAttempts: this.maxAttempts,
          status: failure.status,
          error: failure.reason,
          delayMs,
        },
        "provider request failed; retrying",
      );
      await sleep(delayMs);
    }
    throw this.exhaustedError(path, attempts, failure, stoppedByDeadline);
  }

  private async attempt(
    path: string,
    body: unknown,
    idempotencyKey: string,
    timeoutMs: number,
  ): Promise<AttemptResult> {
    let response: JsonResponse;
    try {
      response = await postJson(
        this.transport,
        new URL(`${this.baseUrl}${path}`),
        JSON.stringify(body),
        {
          Authorization: `Bearer ${this.options.apiKey}`,
          Accept: "application/json",
          "Idempotency-Key": idempotencyKey,
        },
        timeoutMs,
      );
    } catch (error) {
      return {
        ok: false,
        failure: {
          reason: describeRequestError(error, timeoutMs),
          cause: error,
        },
      };
    }
    const payload = parseJsonOrUndefined(response.text);
    if (response.status >= 200 && response.status < 300) {
      return { ok: true, body: payload };
    }
    const { code, message } = providerError(payload);
    if (response.status >= 500 || response.status === 429) {
      const retryAfterMs = parseRetryAfterMs(response.headers["retry-after"]);
      const reason = `status ${response.status}${code ? ` ${code}` : ""}`;
      return {
        ok: false,
        failure: { reason, status: response.status, retryAfterMs },
      };
    }
    const detail = message ? `: ${message}` : "";
    throw new PermanentError(
      code ?? "provider_rejected",
      `${this.provider} POST ${path} returned ${response.status} ${code ?? "provider_rejected"}${detail}`,
    );
  }

  private parseResponse<T>(
    path: string,
    body: unknown,
    schema: z.ZodMiniType<T>,
  ): T {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue
      ? `${issue.path.join(".") || "body"}: ${issue.message}`
      : "unexpected body";
    throw new PermanentError(
      "invalid_provider_response",
      `${this.provider} POST ${path} succeeded with an unexpected body (${where})`,
    );
  }

  /** Returns the earlier of the client's and the call's deadline, if any. */
  private deadlineOf(callDeadline: number | undefined): number | undefined {
    const deadlines = [this.options.deadline?.(), callDeadline].filter(
      (value): value is number => value !== undefined,
    );
    return deadlines.length === 0 ? undefined : Math.min(...deadlines);
  }

  /** Returns the attempt's timeout, shortened to the deadline, or undefined once it has passed. */
  private attemptTimeoutMs(deadline: number | undefined): number | undefined {
    if (deadline === undefined) return this.options.timeoutMs;
    const remainingMs = Math.floor(deadline - Date.now());
    if (remainingMs <= 0) return undefined;
    return Math.min(this.options.timeoutMs, remainingMs);
  }

  private exhaustedError(
    path: string,
    attempts: number,
    failure: RetryableFailure | undefined,
    stoppedByDeadline: boolean,
  ): TransientError {
    const prefix = `${this.provider} POST ${path}`;
    if (!failure) {
      return new TransientError(
        `${prefix} was not sent because the call deadline had passed`,
      );
    }
    const stop = stoppedByDeadline
      ? "stopped by the call deadline"
      : "retries exhausted";
    return new TransientError(
      `${prefix} failed after ${attempts} attempt(s), ${stop}; last error: ${failure.reason}`,
      {
        cause: failure.cause,
      },
    );
  }
}

/**
 * Computes the wait before the next attempt: a random time up to
 * min(cap, base * 2^(attempt - 1)) ("full jitter"), raised to the server's
 * Retry-After when that is longer, and never above the cap.
 */
export function backoffDelayMs(
  attempt: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const ceilingMs = Math.min(
    BACKOFF_CAP_MS,
    BACKOFF_BASE_MS * 2 ** (attempt - 1),
  );
  const jitteredMs = Math.floor(random() * ceilingMs);
  if (retryAfterMs === undefined) return jitteredMs;
  return Math.max(jitteredMs, Math.min(retryAfterMs, BACKOFF_CAP_MS));
}

/** Reads Retry-After as seconds or as an HTTP date (RFC 9110 §10.2.3). */
function parseRetryAfterMs(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - Date.now());
}

function parseJsonOrUndefined(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Extracts `error.code` and `error.message` from a provider error body. */
function providerError(payload: unknown): { code?: string; message?: string } {
  if (typeof payload !== "object" || payload === null) return {};
  const error = (payload as { error?: unknown }).error;
  if (typeof error !== "object" || error === null) return {};
  const { code, message } = error as { code?: unknown; message?: unknown };
  return {
    code: typeof code === "string" && code !== "" ? code : undefined,
    message:
      typeof message === "string"
        ? message.slice(0, MAX_PROVIDER_MESSAGE_LENGTH)
        : undefined,
  };
}

/**
 * Describes a failed request: a timeout, or a network error by its code
 * (such as ECONNREFUSED or ECONNRESET).
 */
function describeRequestError(error: unknown, timeoutMs: number): string {
  const { name, message, code } = (error ?? {}) as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
  };
  if (name === "TimeoutError") return `timed out after ${timeoutMs} ms`;
  if (typeof code === "string") return `network error ${code}`;
  return `network error: ${typeof message === "string" ? message : String(error)}`;
}
