import type { Logger } from "pino";
import type { TimerTrigger } from "../config/serverless-config";
import { buildTimerEvent } from "../events/build-timer-event";
import type { FunctionPool } from "../runtime/function-pool";
import { type CronSchedule, nextFireTime, parseCron } from "./cron";

/** Maximum delay of one Node.js setTimeout (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Fires timer triggers on their 7-field cron schedule. Each firing is an
 * asynchronous invocation with SCF's timer event.
 */
export class TimerScheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly pools: ReadonlyMap<string, FunctionPool>,
    private readonly logger: Logger,
  ) {}

  /** Starts one enabled trigger; throws when its cron expression is invalid. */
  start(trigger: TimerTrigger): void {
    const schedule = parseCron(trigger.cronExpression);
    this.arm(trigger, schedule, new Date());
  }

  private arm(
    trigger: TimerTrigger,
    schedule: CronSchedule,
    after: Date,
  ): void {
    if (this.closed) return;
    const next = nextFireTime(schedule, after);
    if (!next) {
      this.logger.info(
        { trigger: trigger.name },
        "timer has no future firing time",
      );
      return;
    }

    const wait = Math.min(next.getTime() - Date.now(), MAX_TIMEOUT_MS);
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (Date.now() < next.getTime()) {
          this.arm(trigger, schedule, after);
          return;
        }
        this.fire(trigger, next);
        this.arm(trigger, schedule, next);
      },
      Math.max(0, wait),
    );
    this.timers.add(timer);
  }

  private fire(trigger: TimerTrigger, time: Date): void {
    const pool = this.pools.get(trigger.functionKey);
    if (!pool) return;
    const event = buildTimerEvent(trigger.name, time, trigger.argument);
    // NOTE: SCF retries failed timer invocations like other asynchronous
    // ones; the emulator logs the failure and waits for the next firing.
    pool
      .invoke(event)
      .then((result) => {
        if (!result.ok) {
          this.logger.warn(
            {
              trigger: trigger.name,
              requestId: result.requestId,
              error: result.error.errorMessage,
            },
            "timer invocation failed",
          );
        }
      })
      .catch((error: unknown) =>
        this.logger.error(
          { err: error, trigger: trigger.name },
          "timer invocation failed",
        ),
      );
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
