import * as z from "zod/mini";
import "../zod-messages";

const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

/** Largest total, in minor units, an order may have (10 million in major units). */
export const MAX_ORDER_TOTAL = 1_000_000_000;

/**
 * Characters an address line never needs and that harm what reads it later.
 * C0 and C1 controls and the line and paragraph separators: PostgreSQL text
 * cannot store NUL, and line breaks split label lines. Bidirectional
 * embeddings, overrides and isolates reorder the text a courier or an
 * operator reads. The zero-width space and the byte order mark are
 * invisible, and unpaired UTF-16 surrogates cannot be encoded as UTF-8.
 * Zero-width joiners, direction marks and tag characters stay allowed,
 * because emoji sequences and right-to-left text need them.
 */
const UNSAFE_TEXT =
  /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069\u200B\uFEFF]|[\uD800-\uDFFF]/u;

/** A letter or a digit in any script: a field of marks or spaces alone reads as blank. */
const VISIBLE_TEXT = /[\p{L}\p{N}]/u;

const text = (max: number) =>
  z.string().check(
    z.trim(),
    z.minLength(1),
    z.maxLength(max),
    z.refine(
      (value) => !UNSAFE_TEXT.test(value),
      "must not contain control characters, line separators, bidirectional override characters, invisible spaces or unpaired surrogates",
    ),
    z.refine(
      (value) => VISIBLE_TEXT.test(value),
      "must contain at least one letter or digit",
    ),
  );

/**
 * An integer from `min` to `max`. The range is checked first and stops the
 * checks, so 1e20 reports the range once instead of also failing zod's
 * safe-integer bound.
 */
const integerIn = (min: number, max: number) =>
  z
    .number()
    .check(
      z.minimum(min, { abort: true }),
      z.maximum(max, { abort: true }),
      z.refine(Number.isInteger, "must be an integer"),
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
  quantity: integerIn(1, 1_000),
  unitPrice: integerIn(0, MAX_ORDER_TOTAL),
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
 * Lets the order-total checks run only on a well-formed items list: an
 * item that breaks its own limits already has an issue, and a second one
 * about the total would only repeat it. A root issue (not an object,
 * unknown keys) skips them too.
 */
function itemsWellFormed(payload: z.core.ParsePayload): boolean {
  return payload.issues.every(
    (issue) =>
      issue.path !== undefined &&
      issue.path.length > 0 &&
      issue.path[0] !== "items",
  );
}

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
    z.refine((order) => totalOf(order.items) > 0, {
      path: ["items"],
      message:
        "order total must be greater than 0; payment providers charge at least 1 minor unit",
      when: itemsWellFormed,
    }),
    z.refine((order) => totalOf(order.items) <= MAX_ORDER_TOTAL, {
      path: ["items"],
      message: `order total must not exceed ${MAX_ORDER_TOTAL} minor units`,
      when: itemsWellFormed,
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
