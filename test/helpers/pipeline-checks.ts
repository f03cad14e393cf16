import { join } from "node:path";
import Database from "better-sqlite3";
import { randomUUID } from "node:crypto";
import { orderRequest } from "./orders";

export const FINAL_STATUSES = ["shipped", "payment_failed", "refunded"];

/** Order bodies with a mix of outcomes: paid, declined, flaky, refunded. */
export function mixedOrder(index: number): Record<string, unknown> {
  const kind = index % 10;
  if (kind === 7) return orderRequest({ paymentToken: "tok_declined" });
  if (kind === 8) return orderRequest({ paymentToken: "tok_flaky" });
  if (kind === 9) {
    const address = { ...orderRequest().shippingAddress, postalCode: "000000" };
    return orderRequest({ shippingAddress: address });
  }
  return orderRequest();
}

/** Posts one order; returns its id when accepted (202), else undefined. */
export async function postOrder(
  httpUrl: string,
  body: unknown,
): Promise<string | undefined> {
  try {
    const response = await fetch(`${httpUrl}/orders`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "idempotency-key": randomUUID(),
      },
      body: JSON.stringify(body),
    });
    if (response.status !== 202) return undefined;
    return ((await response.json()) as { orderId: string }).orderId;
  } catch {
    // The emulator was killed mid-request: the order may or may not be stored.
    return undefined;
  }
}

/** Posts `count` orders with at most `concurrency` in flight. */
export async function postOrders(
  httpUrl: string,
  count: number,
  concurrency: number,
  onAccepted: (orderId: string) => void = () => {},
): Promise<string[]> {
  const accepted: string[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    while (next < count) {
      const index = next++;
      const orderId = await postOrder(httpUrl, mixedOrder(index));
      if (orderId) {
        accepted.push(orderId);
        onAccepted(orderId);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return accepted;
}

/** Reads every order's status and payment references from orders.db. */
export function readOrders(
  dataDir: string,
): Map<string, { status: string; paymentReference: string | null }> {
  const db = new Database(join(dataDir, "orders.db"), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    const rows = db
      .prepare("SELECT order_id, status, payment_reference FROM orders")
      .all() as Array<{
      order_id: string;
      status: string;
      payment_reference: string | null;
    }>;
    return new Map(
      rows.map((row) => [
        row.order_id,
        { status: row.status, paymentReference: row.payment_reference },
      ]),
    );
  } finally {
    db.close();
  }
}

/** Counts stored orders per status. */
export function countByStatus(dataDir: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const order of readOrders(dataDir).values())
    counts[order.status] = (counts[order.status] ?? 0) + 1;
  return counts;
}

/** Waits until every order in orders.db is in a final status. */
export async function waitUntilAllFinal(
  dataDir: string,
  timeoutMs: number,
): Promise<Map<string, { status: string; paymentReference: string | null }>> {
  const deadline = Date.now() + timeoutMs;
  let orders = readOrders(dataDir);
  while (
    Date.now() < deadline &&
    [...orders.values()].some((order) => !FINAL_STATUSES.includes(order.status))
  ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    orders = readOrders(dataDir);
  }
  return orders;
}

export interface LedgerCounts {
  /** Charges per order id. */
  charges: Map<string, number>;
  /** Refunds per charge id. */
  refunds: Map<string, number>;
}

/** Reads the payment sandbox's ledger through its API. */
export async function readPaymentLedger(
  paymentUrl: string,
  apiKey: string,
): Promise<LedgerCounts> {
  const response = await fetch(`${paymentUrl}/v1/ledger`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  const ledger = (await response.json()) as {
    charges: Array<{ orderId: string }>;
    refunds: Array<{ chargeId: string }>;
  };
  const charges = new Map<string, number>();
  for (const charge of ledger.charges)
    charges.set(charge.orderId, (charges.get(charge.orderId) ?? 0) + 1);
  const refunds = new Map<string, number>();
  for (const refund of ledger.refunds)
    refunds.set(refund.chargeId, (refunds.get(refund.chargeId) ?? 0) + 1);
  return { charges, refunds };
}

/**
 * Checks the pipeline's guarantees over the stored orders and the ledger:
 * each accepted order is stored and final, each paid order was charged
 * exactly once, declined ones never, and each refunded order refunded
 * exactly once. Returns the problems found, empty when all hold.
 */
export function guaranteeViolations(
  accepted: readonly string[],
  orders: Map<string, { status: string; paymentReference: string | null }>,
  ledger: LedgerCounts,
): string[] {
  const problems: string[] = [];
  for (const orderId of accepted) {
    const order = orders.get(orderId);
    if (!order) problems.push(`${orderId} was accepted but is not stored`);
    else if (!FINAL_STATUSES.includes(order.status))
      problems.push(`${orderId} is stuck in ${order.status}`);
  }
  for (const [orderId, order] of orders) {
    const charges = ledger.charges.get(orderId) ?? 0;
    const paid = order.paymentReference !== null;
    if (paid && charges !== 1)
      problems.push(`${orderId} (${order.status}) has ${charges} charges`);
    if (order.status === "payment_failed" && charges !== 0)
      problems.push(`${orderId} was declined but charged ${charges} times`);
    if (order.status === "refunded") {
      const refunds = ledger.refunds.get(order.paymentReference ?? "") ?? 0;
      if (refunds !== 1) problems.push(`${orderId} has ${refunds} refunds`);
    }
  }
  return problems;
}

/** Reads the payment sandbox's ledger from its SQLite file. */
export function readLedgerFile(dataDir: string): LedgerCounts {
  const db = new Database(join(dataDir, "payment-sandbox.db"), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    const charges = new Map<string, number>();
    for (const row of db
      .prepare("SELECT order_id FROM charges")
      .all() as Array<{ order_id: string }>) {
      charges.set(row.order_id, (charges.get(row.order_id) ?? 0) + 1);
    }
    const refunds = new Map<string, number>();
    for (const row of db
      .prepare("SELECT charge_id FROM refunds")
      .all() as Array<{ charge_id: string }>) {
      refunds.set(row.charge_id, (refunds.get(row.charge_id) ?? 0) + 1);
    }
    return { charges, refunds };
  } finally {
    db.close();
  }
}
