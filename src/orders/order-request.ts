import * as z from "zod/mini";

const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

/** Largest total, in minor units, an order may have (10 million in major units). */
export const MAX_ORDER_TOTAL = 1_000_000_000;

/**
 * Characters an address line never needs and that harm what reads it later:
 * C0 and C1 controls (NUL cannot be stored in PostgreSQL text; line breaks
 * split label lines), bidirectional embeddings, overrides and isolates
 * (they reorder what a courier or an operator sees), and unpaired UTF-16
 * surrogates (not encodable as UTF-8).
 */
const UNSAFE_TEXT = /[\p{Cc}\u202A-\u202E\u2066-\u2069]|[\uD800-\uDFFF]/u;

const text = (max: number) =>
  z.string().check(
    z.trim(),
    z.minLength(1),
    z.maxLength(max),
    z.refine(
      (value) => !UNSAFE_TEXT.test(value),
      "must not contain control characters, bidirectional override characters or unpaired surrogates",
    ),
  );

const itemSchema = z.strictObject({
  sku: z
    .string()
    .check(
      z.regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
        "must be 1-64 letters, digits, '.', '_' or '-'",
      ),
    ),
  quantity: z.int().check(z.minimum(1), z.maximum(1_000)),
  unitPrice: z.int().check(z.minimum(0), z.maximum(MAX_ORDER_TOTAL)),
});

const addressSchema = z.strictObject({
  name: text(100),
  line1: text(200),
  line2: z.optional(text(200)),
  city: text(100),
  region: z.optional(text(100)),
  postalCode: z
    .string()
    .check(
      z.regex(
        /^[A-Za-z0-9 -]{2,12}$/,
        "must be 2-12 letters, digits, spaces or '-'",
      ),
    ),
  country: z
    .string()
    .check(
      z.regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code such as CN"),
    ),
});

/**
 * The body of `POST /orders`. Unknown fields are rejected, amounts are
 * integers in minor units, and the client sends a payment token, never
 * card data.
 */
export const orderRequestSchema = z
  .strictObject({
    customerId: z
      .string()
      .check(
        z.regex(
          /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/,
          "must be 1-64 letters, digits, '.', '_', ':' or '-'",
        ),
      ),
    currency: z
      .string()
      .check(
        z.refine(
          (code) => CURRENCIES.has(code),
          "must be an ISO 4217 code such as CNY",
        ),
      ),
    items: z.array(itemSchema).check(z.minLength(1), z.maxLength(100)),
    paymentToken: z.string().check(
      z.regex(
        /^[A-Za-z0-9_-]{3,128}$/,
        "must be a payment token such as tok_…",
      ),
      z.refine(
        (token) => !/^\d{12,19}$/.test(token),
        "looks like a card number; send a payment token instead",
      ),
    ),
    shippingAddress: addressSchema,
  })
  .check(
    z.refine((order) => totalOf(order.items) <= MAX_ORDER_TOTAL, {
      path: ["items"],
      message: `order total must not exceed ${MAX_ORDER_TOTAL} minor units`,
      when: (payload) =>
        payload.issues.every(
          (issue) =>
            issue.path !== undefined &&
            issue.path.length > 0 &&
            issue.path[0] !== "items",
        ),
    }),
  );

export type OrderRequest = z.infer<typeof orderRequestSchema>;

/** Sums quantity times unit price over the items, in minor units. */
export function totalOf(
  items: ReadonlyArray<{ quantity: number; unitPrice: number }>,
): number {
  let total = 0;
  for (const item of items) total += item.quantity * item.unitPrice;
  return total;
}
