/** Backoff of SCF's retries of a failed asynchronous invocation. */
export interface RetryBackoff {
  /** Delay before the first retry, in ms. */
  baseMs: number;
  /** Largest delay, in ms. */
  maxMs: number;
}

// NOTE: SCF documents the retry count (2 by default) but not the interval;
// the emulator doubles a 1 s base with jitter, an assumption.
export const DEFAULT_BACKOFF: RetryBackoff = { baseMs: 1_000, maxMs: 60_000 };

/**
 * Computes the delay before retry number `attempt` (1 for the first): exponential,
 * with "equal jitter" so retries of a burst spread out but never fire early.
 */
export function retryDelayMs(
  attempt: number,
  backoff: RetryBackoff,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(
    backoff.maxMs,
    backoff.baseMs * 2 ** Math.max(0, attempt - 1),
  );
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}
