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
  /** Answer every PublishCmqMsg with FailedOperation.SendMsgFailed. */
  refusePublish: boolean;
}

export function noFaults(): Faults {
  return {
    duplicateDeliveries: false,
    reorderDeliveries: false,
    refusePublish: false,
  };
}

/** Applies the known boolean fields of `input` to `faults`; ignores the rest. */
export function updateFaults(faults: Faults, input: unknown): Faults {
  if (input === null || typeof input !== "object") return faults;
  for (const key of Object.keys(faults) as Array<keyof Faults>) {
    const value = (input as Record<string, unknown>)[key];
    if (typeof value === "boolean") faults[key] = value;
  }
  return faults;
}
