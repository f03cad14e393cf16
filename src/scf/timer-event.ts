import * as z from "zod/mini";
import "../zod-messages";

import {
  invalidEventError,
  isPlainObject,
  toFieldIssues,
} from "./field-issues";
import { isoTime, nonEmptyString, optionalString } from "./schema-fields";

/** A timer trigger invocation. */
export interface TimerEvent {
  triggerName: string;
  /** Scheduled time, ISO 8601, such as `2019-02-21T11:49:00Z`. */
  time: string;
  /** The trigger's configured argument, when it has one. */
  message?: string;
}

const timerSchema = z.looseObject({
  // scfcli and the official docs send "Timer"; serverless.com's docs
  // show "timer".
  Type: nonEmptyString().check(
    z.refine((type) => type.toLowerCase() === "timer", {
      error: 'must be "Timer"',
    }),
  ),
  TriggerName: nonEmptyString(),
  Time: isoTime(),
  Message: optionalString(),
});

/**
 * Parses an SCF timer trigger event. `Type` is compared without case.
 * Throws a `ValidationError` whose issues name each invalid field, such as
 * `TriggerName`.
 */
export function parseTimerEvent(event: unknown): TimerEvent {
  if (!isPlainObject(event)) {
    throw invalidEventError("timer event", [
      { field: "event", message: "must be a JSON object" },
    ]);
  }

  const parsed = timerSchema.safeParse(event);
  if (!parsed.success) {
    throw invalidEventError("timer event", toFieldIssues(parsed.error.issues));
  }

  const { TriggerName, Time, Message } = parsed.data;
  const timer: TimerEvent = { triggerName: TriggerName, time: Time };
  if (Message !== null && Message !== undefined) timer.message = Message;
  return timer;
}
