import * as z from "zod/mini";
import "../zod-messages";
import {
  HttpProvider,
  type ProviderClientOptions,
} from "../providers/http-provider";

export type { ProviderClientOptions } from "../providers/http-provider";

export interface Charge {
  id: string;
  status: "succeeded";
  /** Minor units, such as fen for CNY. */
  amount: number;
  currency: string;
}

export interface Refund {
  id: string;
  chargeId: string;
  /** Minor units. */
  amount: number;
  status: "succeeded";
}

const chargeSchema = z.object({
  id: z.string().check(z.minLength(1)),
  status: z.literal("succeeded"),
  amount: z.int(),
  currency: z.string().check(z.minLength(1)),
});

const refundSchema = z.object({
  id: z.string().check(z.minLength(1)),
  chargeId: z.string().check(z.minLength(1)),
  amount: z.int(),
  status: z.literal("succeeded"),
});

/**
 * Client of the payment provider's charge and refund API. Errors follow
 * HttpProvider: TransientError once retries run out, PermanentError with the
 * provider's code (such as `card_declined`) for rejections.
 */
export class PaymentClient {
  private readonly http: HttpProvider;

  constructor(options: ProviderClientOptions) {
    this.http = new HttpProvider("payment", options);
  }

  /**
   * Charges `amount` minor units to the card behind `token`. `deadline`
   * (epoch ms) bounds this call, retries included, besides the client's own.
   */
  charge(input: {
    orderId: string;
    amount: number;
    currency: string;
    token: string;
    idempotencyKey: string;
    deadline?: number;
  }): Promise<Charge> {
    const body = {
      orderId: input.orderId,
      amount: input.amount,
      currency: input.currency,
      token: input.token,
    };
    return this.http.post(
      "/v1/charges",
      body,
      input.idempotencyKey,
      chargeSchema,
      input.deadline,
    );
  }

  /** Refunds `amount` minor units of a charge; `deadline` works as in `charge`. */
  refund(input: {
    chargeId: string;
    amount: number;
    idempotencyKey: string;
    deadline?: number;
  }): Promise<Refund> {
    const body = { chargeId: input.chargeId, amount: input.amount };
    return this.http.post(
      "/v1/refunds",
      body,
      input.idempotencyKey,
      refundSchema,
      input.deadline,
    );
  }
}
