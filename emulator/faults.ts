/**
 * Faults the emulator injects on request, for testing at-least-once
 * delivery. The object is read at each use, so a test or the admin route
 * can change it while the emulator runs.
 */
export interface Faults {
  /** Deliver every CMQ message twice, as at-least-once delivery may. */
  duplicateDeliveries: boolean;
  /** Deliver queued messages in random order instead of publish order. */
  reorderDeliveries: boolean;
  /** Reject every PublishCmqMsg with FailedOperation.SendMsgFailed. */
  refusePublish: boolean;
}

export function noFaults(): Faults {
  return {
    duplicateDeliveries: false,
    reorderDeliveries: false,
    refusePublish: false,
  };
}

/**
 * Applies `input`'s fields to `faults`, or returns the problem without
 * changing anything: each field must be a known fault with a boolean value.
 */
export function updateFaults(faults: Faults, input: unknown): Faults | string {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return 'body must be a JSON object such as {"refusePublish": true}';
  }
  const entries = Object.entries(input as Record<string, unknown>);
  for (const [key, value] of entries) {
    if (!(key in faults))
      return `unknown fault "${key}"; known: ${Object.keys(faults).join(", ")}`;
    if (typeof value !== "boolean") return `${key} must be true or false`;
  }
  for (const [key, value] of entries)
    faults[key as keyof Faults] = value as boolean;
  return faults;
}
