import { ORDER_STATUSES } from "../../src/orders/order";
import { canTransition, isFinal } from "../../src/orders/state-machine";

describe("order state machine", () => {
  test.each([
    ["pending", "paid"],
    ["pending", "payment_failed"],
    ["paid", "shipped"],
    ["paid", "shipping_failed"],
    ["shipping_failed", "refunded"],
  ] as const)("allows %s -> %s", (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  test.each([
    ["pending", "shipped"],
    ["pending", "refunded"],
    ["paid", "paid"],
    ["paid", "payment_failed"],
    ["shipped", "refunded"],
    ["payment_failed", "paid"],
    ["refunded", "paid"],
  ] as const)("rejects %s -> %s", (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  test("final statuses allow no move", () => {
    for (const status of ORDER_STATUSES.filter(isFinal)) {
      for (const to of ORDER_STATUSES)
        expect(canTransition(status, to)).toBe(false);
    }
  });

  test("non-final statuses allow some move", () => {
    for (const status of ORDER_STATUSES.filter((status) => !isFinal(status))) {
      expect(ORDER_STATUSES.some((to) => canTransition(status, to))).toBe(true);
    }
  });
});
