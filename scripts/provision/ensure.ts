import type { TdmqClient } from "./tdmq-client";

/** Result of provisioning one resource. */
export type Outcome = "created" | "exists";

/**
 * Longest unacknowledged time TDMQ for CMQ allows a queue message, in s
 * (CreateCmqQueue MsgRetentionSeconds, 30 to 43200; default 3600). A
 * dead-letter queue keeps its messages as long as it can.
 */
const DEAD_LETTER_RETENTION_SECONDS = 43_200;

/** A TDMQ call that failed for a reason other than "already exists". */
export class ProvisionError extends Error {
  readonly code?: string;

  constructor(action: string, name: string, error: unknown) {
    const code = (error as { code?: unknown }).code;
    const message = (error as Error).message;
    const detail = typeof code === "string" ? `${code}: ${message}` : message;
    super(`${action} ${name} failed: ${detail}`, { cause: error });
    this.name = "ProvisionError";
    this.code = typeof code === "string" ? code : undefined;
  }
}

/**
 * Tells "already exists" from other failures. tencentcloud-sdk-go lists
 * ResourceInUse.Topic, .Queue and .Subscription as "name exists" codes
 * (tencentcloud/tdmq/v20200217/errors.go).
 */
function isAlreadyExists(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("ResourceInUse");
}

async function createOrExists(
  action: string,
  name: string,
  create: () => Promise<unknown>,
): Promise<Outcome> {
  try {
    await create();
    return "created";
  } catch (error) {
    if (isAlreadyExists(error)) return "exists";
    throw new ProvisionError(action, name, error);
  }
}

/** Creates a CMQ topic with TDMQ's defaults (tag filtering, 1-day retention). */
export function ensureTopic(
  client: TdmqClient,
  name: string,
): Promise<Outcome> {
  return createOrExists("CreateCmqTopic", name, () =>
    client.CreateCmqTopic({ TopicName: name }),
  );
}

/** Creates a CMQ queue for dead letters, keeping messages 12 hours. */
export function ensureDeadLetterQueue(
  client: TdmqClient,
  name: string,
): Promise<Outcome> {
  return createOrExists("CreateCmqQueue", name, () =>
    client.CreateCmqQueue({
      QueueName: name,
      MsgRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
    }),
  );
}
