import { createHash, randomUUID } from "node:crypto";
import { ConflictError, ValidationError } from "../errors";
import { createEnvelope } from "../messaging/envelope";
import { flushOutbox, outboxMessageOf } from "../messaging/outbox";
import {
  orderRequestSchema,
  type OrderRequest,
  totalOf,
} from "../orders/order-request";
import { acceptedView } from "../orders/order-view";
import type { Instance } from "../runtime/instance";
import { requestIdOf } from "../scf/context";
import { header, parseHttpEvent } from "../scf/http-event";
import { type IntegratedResponse, jsonResponse } from "../scf/http-response";
import type { IdempotencyInput } from "../storage/order-store";
import { parseOrThrow } from "../validation";
import { errorResponseLogged } from "./http-error";
import {
  clientIdOf,
  parseJsonBody,
  requireApiKey,
  requireMethod,
} from "./http-guard";

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Serializes JSON with sorted object keys, so equal requests hash equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value as object)
      .sort()
      .map(
        (key) =>
          `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
      );
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * Checks the Idempotency-Key header and builds what the store keeps for it.
 * With API keys configured, the stored key starts with the caller's client
 * id (a digest of its API key). Two clients that pick the same key then get
 * their own orders, and a 409 never names another client's order id.
 */
function idempotencyOf(
  key: string | undefined,
  request: OrderRequest,
  ttlSeconds: number,
  clientId: string | undefined,
): IdempotencyInput | undefined {
  if (key === undefined) return undefined;
  // Repeated headers arrive joined with ", ", and a key cannot hold a space.
  if (key.includes(", ")) {
    throw new ValidationError(
      "Idempotency-Key was sent more than once; send one key per request",
      [{ field: "headers.idempotency-key", message: "must be sent once" }],
    );
  }
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new ValidationError(
      "Idempotency-Key must be 1-255 visible ASCII characters",
      [
        {
          field: "headers.idempotency-key",
          message: "must be 1-255 visible ASCII characters",
        },
      ],
    );
  }
  const requestHash = createHash("sha256")
    .update(canonicalJson(request))
    .digest("hex");
  const scope = clientId === undefined ? "" : `${clientId}:`;
  return { key: `${scope}${key}`, requestHash, ttlSeconds };
}

/**
 * Handles `POST /orders`: authenticates, validates, stores the order with
 * its `order.created` outbox message in one transaction, publishes it and
 * returns 202. The same `Idempotency-Key` with the same body returns the
 * first order again; with another body, 409.
 */
export function createOrderHandler(instance: Instance) {
  const { config, store, publisher, logger } = instance;

  return async function main_handler(
    event: unknown,
    context: unknown,
  ): Promise<IntegratedResponse> {
    const requestId = requestIdOf(context);
    const log = logger.child({ requestId });
    try {
      const request = parseHttpEvent(event);
      requireMethod(request, "POST");
      requireApiKey(request, config.orderApiKeys);
      const body = parseOrThrow(
        orderRequestSchema,
        parseJsonBody(request),
        "order",
        "body",
      );
      const clientId = clientIdOf(request, config.orderApiKeys);
      const idempotency = idempotencyOf(
        header(request, "idempotency-key"),
        body,
        config.idempotencyTtlSeconds,
        clientId,
      );
      await instance.ready();

      const now = new Date();
      const orderId = `ord_${randomUUID().replace(/-/g, "")}`;
      const totalAmount = totalOf(body.items);
      const envelope = createEnvelope(
        "order.created",
        orderId,
        { totalAmount, currency: body.currency },
        now,
      );
      const outbox = [outboxMessageOf(envelope, config.topics.orderCreated)];
      const outcome = await store.createOrder(
        {
          ...body,
          orderId,
          totalAmount,
          createdAt: now.toISOString(),
          ...(clientId === undefined ? {} : { clientId }),
        },
        outbox,
        idempotency,
      );

      if (outcome.kind === "conflict") {
        throw new ConflictError(
          `Idempotency-Key was already used for order ${outcome.orderId} with a different request body; ` +
            "send a new key for a new order",
        );
      }
      if (outcome.kind === "replayed") {
        log.info(
          { orderId: outcome.order.orderId },
          "idempotent replay of an accepted order",
        );
        return jsonResponse(202, acceptedView(outcome.order), {
          location: `/orders/${outcome.order.orderId}`,
          "idempotent-replayed": "true",
        });
      }

      if (publisher) await flushOutbox(outbox, store, publisher, log);
      log.info({ orderId, totalAmount }, "order accepted");
      return jsonResponse(202, acceptedView(outcome.order), {
        location: `/orders/${orderId}`,
      });
    } catch (error) {
      return errorResponseLogged(error, requestId, log);
    }
  };
}
