import * as z from "zod/mini";
import "../zod-messages";
import type { ShippingAddress } from "../orders/order";
import {
  HttpProvider,
  type ProviderClientOptions,
} from "../providers/http-provider";

export type { ProviderClientOptions } from "../providers/http-provider";

export interface Shipment {
  id: string;
  trackingNumber: string;
  carrier: string;
}

const shipmentSchema = z.object({
  id: z.string().check(z.minLength(1)),
  trackingNumber: z.string().check(z.minLength(1)),
  carrier: z.string().check(z.minLength(1)),
});

/**
 * Client of the carrier's shipment API. Errors follow HttpProvider:
 * TransientError once retries run out, PermanentError with the carrier's
 * code (such as `address_undeliverable`) for rejections.
 */
export class CarrierClient {
  private readonly http: HttpProvider;

  constructor(options: ProviderClientOptions) {
    this.http = new HttpProvider("carrier", options);
  }

  /**
   * Books a shipment of `items` to `address`. `deadline` (epoch ms) bounds
   * this call, retries included, besides the client's own.
   */
  createShipment(input: {
    orderId: string;
    address: ShippingAddress;
    items: Array<{ sku: string; quantity: number }>;
    idempotencyKey: string;
    deadline?: number;
  }): Promise<Shipment> {
    // Copy only the API's fields: callers often pass order items, which also carry prices.
    const items = input.items.map(({ sku, quantity }) => ({ sku, quantity }));
    const body = {
      orderId: input.orderId,
      address: addressFields(input.address),
      items,
    };
    return this.http.post(
      "/v1/shipments",
      body,
      input.idempotencyKey,
      shipmentSchema,
      input.deadline,
    );
  }
}

function addressFields(address: ShippingAddress): ShippingAddress {
  const { name, line1, line2, city, region, postalCode, country } = address;
  return { name, line1, line2, city, region, postalCode, country };
}
