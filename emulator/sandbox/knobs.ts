import { setTimeout as sleep } from "node:timers/promises";
import * as z from "zod";

/** Fault and load settings a sandbox applies to every `/v1` request. */
export interface SandboxKnobs {
  /** Delay added before the request is handled, in milliseconds. */
  latencyMs: number;
  /** Probability from 0 to 1 that a request gets a 503 instead of being handled. */
  errorRate: number;
  /** Requests allowed per second before 429 responses; 0 means unlimited. */
  rateLimitPerSecond: number;
}

export const DEFAULT_KNOBS: SandboxKnobs = {
  latencyMs: 0,
  errorRate: 0,
  rateLimitPerSecond: 0,
};

/** Schema of a partial knob update, as sent to `POST /_control`. */
export const knobUpdateSchema = z.strictObject({
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  errorRate: z.number().min(0).max(1).optional(),
  rateLimitPerSecond: z.number().min(0).optional(),
});

/** Outcome of the knobs for one request. */
export type KnobDecision =
  | { kind: "pass" }
  | { kind: "rate_limited"; retryAfterSeconds: number }
  | { kind: "injected_error" };

/**
 * Applies the knobs in a fixed order: the rate limit first, then the
 * latency, then the random 503. The rate limit is a token bucket with room
 * for one second of requests (at least one) that refills continuously.
 */
export class KnobGate {
  private current: SandboxKnobs;
  private tokens = 0;
  private refilledAt = 0;

  constructor(
    initial: Partial<SandboxKnobs> = {},
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
  ) {
    this.current = { ...DEFAULT_KNOBS };
    this.update(initial);
  }

  get knobs(): SandboxKnobs {
    return { ...this.current };
  }

  /** Validates and merges a partial update; throws a ZodError when invalid. */
  update(partial: Partial<SandboxKnobs>): SandboxKnobs {
    const parsed = knobUpdateSchema.parse(partial);
    const defined = Object.fromEntries(
      Object.entries(parsed).filter(([, value]) => value !== undefined),
    );
    this.current = { ...this.current, ...defined };
    // A new rate starts with a full bucket.
    this.tokens = this.bucketSize();
    this.refilledAt = this.now();
    return this.knobs;
  }

  /** Decides one request's fate, waiting out the latency; `signal` cancels the wait. */
  async apply(signal: AbortSignal): Promise<KnobDecision> {
    const retryAfterSeconds = this.takeToken();
    if (retryAfterSeconds !== undefined)
      return { kind: "rate_limited", retryAfterSeconds };
    if (this.current.latencyMs > 0)
      await sleep(this.current.latencyMs, undefined, { signal });
    if (this.current.errorRate > 0 && this.random() < this.current.errorRate)
      return { kind: "injected_error" };
    return { kind: "pass" };
  }

  /** Takes a token; returns the whole seconds to wait when none is left. */
  private takeToken(): number | undefined {
    const rate = this.current.rateLimitPerSecond;
    if (rate <= 0) return undefined;
    const now = this.now();
    this.tokens = Math.min(
      this.bucketSize(),
      this.tokens + ((now - this.refilledAt) / 1000) * rate,
    );
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return undefined;
    }
    const waitMs = ((1 - this.tokens) / rate) * 1000;
    // Retry-After carries whole seconds (RFC 9110), so round up.
    return Math.max(1, Math.ceil(waitMs / 1000));
  }

  private bucketSize(): number {
    return Math.max(1, this.current.rateLimitPerSecond);
  }
}
