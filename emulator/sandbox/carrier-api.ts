import { randomInt } from "node:crypto";
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
import type { ShipmentRecord } from "./ledger-store";

export type { SandboxKnobs } from "./knobs";
export type { SandboxOptions, SandboxServer } from "./http-util";

/** Test postal codes: one the carrier cannot deliver to, one that fails once per key. */
export const TEST_POSTAL_CODES = {
  undeliverable: "000000",
  flaky: "999999",
} as const;

export const CARRIER_NAME = "sandbox-express";

const text = z.string().min(1).max(200);

const shipmentSchema = z.strictObject({
  orderId: text,
  address: z.strictObject({
    name: text,
    line1: text,
    line2: text.optional(),
    city: text,
    region: text.optional(),
    postalCode: z.string().min(1).max(20),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, "must be a 2-letter ISO 3166-1 code"),
  }),
  items: z
    .array(z.strictObject({ sku: text, quantity: z.number().int().positive() }))
    .min(1)
    .max(500),
});

/**
 * Starts the carrier sandbox: `POST /v1/shipments` and `GET /v1/ledger`,
 * with the same auth, knobs and idempotency rules as the payment sandbox.
 */
export function startCarrierSandbox(
  options: SandboxOptions,
): Promise<SandboxServer> {
  const routes: Route[] = [
    {
      method: "POST",
      path: "/v1/shipments",
      idempotent: true,
      handle: createShipment,
    },
    {
      method: "GET",
      path: "/v1/ledger",
      idempotent: false,
      handle: readLedger,
    },
  ];
  return startSandbox("carrier", options, routes);
}

function createShipment({
  body,
  idempotencyKey,
  store,
}: RouteRequest): RouteResult {
  const input = parseBody(shipmentSchema, body);
  const postalCode = input.address.postalCode;
  if (postalCode === TEST_POSTAL_CODES.undeliverable) {
    const message = `the carrier does not deliver to postal code ${postalCode}`;
    const error = {
      type: "invalid_request_error",
      code: "address_undeliverable",
      message,
      param: "address.postalCode",
    };
    return { status: 422, body: { error } };
  }
  if (
    postalCode === TEST_POSTAL_CODES.flaky &&
    store.recordFirstAttempt(idempotencyKey)
  ) {
    const message = "temporary failure; retry with the same Idempotency-Key";
    return {
      status: 503,
      body: {
        error: { type: "api_error", code: "temporarily_unavailable", message },
      },
      store: false,
    };
  }
  const shipment: ShipmentRecord = {
    id: newId("shp"),
    trackingNumber: newTrackingNumber((candidate) =>
      store.hasTrackingNumber(candidate),
    ),
    carrier: CARRIER_NAME,
    status: "created",
    orderId: input.orderId,
    createdAt: new Date().toISOString(),
  };
  store.insertShipment(shipment);
  return { status: 201, body: shipment };
}

/** Draws `SBX` plus 12 random digits until the number is unused. */
function newTrackingNumber(isTaken: (candidate: string) => boolean): string {
  for (;;) {
    const digits = Array.from({ length: 12 }, () => randomInt(10)).join("");
    const candidate = `SBX${digits}`;
    if (!isTaken(candidate)) return candidate;
  }
}

function readLedger({ store }: RouteRequest): RouteResult {
  return { status: 200, body: { shipments: store.listShipments() } };
}
