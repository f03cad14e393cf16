/**
 * Builds a timer trigger event. `Time` is ISO 8601 in UTC without
 * milliseconds, such as `2019-02-21T11:49:00Z`. `Message` is sent only
 * when `message` is given.
 *
 * NOTE: the docs say only that `Message` is the trigger's argument. Whether
 * SCF sends `Message` as "" or omits it for a trigger without one is not
 * confirmed.
 */
export function buildTimerEvent(
  triggerName: string,
  time: Date,
  message?: string,
): object {
  const event: Record<string, string> = {
    Type: "Timer",
    TriggerName: triggerName,
    Time: time.toISOString().replace(/\.\d{3}Z$/, "Z"),
  };
  if (message !== undefined) event.Message = message;
  return event;
}
