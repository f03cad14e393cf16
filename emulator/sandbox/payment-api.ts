import * as z from "zod";
import {
  newId,
  parseBody,
  startSandbox,
  type Route,
  type RouteRequest,
  type RouteResult,
  type SandboxOptions,
  type SandboxServer,
} from "./http-util";
import type { ChargeRecord, RefundRecord } from "./ledger-store";

export type { SandboxKnobs } from "./knobs";
export type { SandboxOptions, SandboxServer } from "./http-util";

/**
 * Test card tokens: `tok_ok` succeeds, `tok_declined` is declined, and
 * `tok_flaky` gets a 503 on the first request of each idempotency key and
 * succeeds on the next. Any other token is rejected as invalid.
 */
export const TEST_TOKENS = {
  ok: "tok_ok",
  declined: "tok_declined",
  flaky: "tok_flaky",
} as const;

const chargeSchema = z.strictObject({
  orderId: z.string().min(1).max(200),
  amount: z.number().int().positive(),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, "must be a 3-letter ISO 4217 code"),
  token: z.string().min(1).max(200),
});

const refundSchema = z.strictObject({
  chargeId: z.string().min(1).max(200),
  amount: z.number().int().positive().optional(),
});

/**
 * Starts the payment sandbox: `POST /v1/charges`, `POST /v1/refunds` and
 * `GET /v1/ledger`, modelled on a card provider with Stripe-style
 * idempotency keys and error bodies.
 */
export function startPaymentSandbox(
  options: SandboxOptions,
): Promise<SandboxServer> {
  const routes: Route[] = [
    {
      method: "POST",
      path: "/v1/charges",
      idempotent: true,
      handle: createCharge,
    },
    {
      method: "POST",
      path: "/v1/refunds",
      idempotent: true,
      handle: createRefund,
    },
    {
      method: "GET",
      path: "/v1/ledger",
      idempotent: false,
      handle: readLedger,
    },
  ];
  return startSandbox("payment", options, routes);
}

function createCharge({
  body,
  idempotencyKey,
  store,
}: RouteRequest): RouteResult {
  const input = parseBody(chargeSchema, body);
  switch (input.token) {
    case TEST_TOKENS.declined:
      return cardError("card_declined", "the card was declined");
    case TEST_TOKENS.flaky:
      if (store.recordFirstAttempt(idempotencyKey)) {
        return {
          status: 503,
          body: {
            error: {
              type: "api_error",
              code: "temporarily_unavailable",
              message: "temporary failure; retry with the same Idempotency-Key",
            },
          },
          store: false,
        };
      }
      break;
    case TEST_TOKENS.ok:
      break;
    default:
      return cardError(
        "invalid_token",
        `token "${input.token}" is not a known test token`,
      );
  }
  const charge: ChargeRecord = {
    id: newId("ch"),
    status: "succeeded",
    orderId: input.orderId,
    amount: input.amount,
    currency: input.currency,
    createdAt: new Date().toISOString(),
  };
  store.insertCharge(charge);
  return { status: 201, body: charge };
}

function cardError(code: string, message: string): RouteResult {
  return {
    status: 402,
    body: { error: { type: "card_error", code, message, param: "token" } },
  };
}

/** Refunds `amount`, or everything not yet refunded when it is absent. */
function createRefund({ body, store }: RouteRequest): RouteResult {
  const input = parseBody(refundSchema, body);
  const charge = store.findCharge(input.chargeId);
  if (!charge) {
    const message = `no charge with id "${input.chargeId}"`;
    return {
      status: 404,
      body: {
        error: {
          type: "invalid_request_error",
          code: "resource_missing",
          message,
          param: "chargeId",
        },
      },
    };
  }
  const refundable = charge.amount - store.refundedAmount(charge.id);
  const amount = input.amount ?? refundable;
  if (amount <= 0 || amount > refundable) {
    const message = `refund of ${amount} exceeds the ${refundable} still refundable on charge ${charge.id}`;
    return {
      status: 422,
      body: {
        error: {
          type: "invalid_request_error",
          code: "amount_exceeds_refundable",
          message,
          param: "amount",
        },
      },
    };
  }
  const refund: RefundRecord = {
    id: newId("re"),
    chargeId: charge.id,
    amount,
    status: "succeeded",
    createdAt: new Date().toISOString(),
  };
  store.insertRefund(refund);
  return { status: 201, body: refund };
}

function readLedger({ store }: RouteRequest): RouteResult {
  return {
    status: 200,
    body: { charges: store.listCharges(), refunds: store.listRefunds() },
  };
}
