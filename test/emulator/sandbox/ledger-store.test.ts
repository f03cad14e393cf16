import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LedgerStore } from "../../../emulator/sandbox/ledger-store";

let dir: string;
let dbPath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ledger-store-"));
  dbPath = join(dir, "ledger.db");
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const charge = {
  id: "ch_1",
  status: "succeeded" as const,
  orderId: "ord_1",
  amount: 1000,
  currency: "CNY",
  createdAt: "2025-01-01T00:00:00.000Z",
};

describe("LedgerStore", () => {
  test("uses WAL journal mode", () => {
    LedgerStore.open(dbPath).close();
    const db = new Database(dbPath);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  });

  test("keeps rows across reopen", () => {
    const first = LedgerStore.open(dbPath);
    first.insertCharge(charge);
    first.insertRefund({
      id: "re_1",
      chargeId: "ch_1",
      amount: 400,
      status: "succeeded",
      createdAt: charge.createdAt,
    });
    first.close();
    const second = LedgerStore.open(dbPath);
    expect(second.listCharges()).toEqual([charge]);
    expect(second.refundedAmount("ch_1")).toBe(400);
    second.close();
  });

  test("refunded amount is 0 without refunds", () => {
    const store = LedgerStore.open(dbPath);
    store.insertCharge(charge);
    expect(store.refundedAmount("ch_1")).toBe(0);
    store.close();
  });

  test("stores and finds responses", () => {
    const store = LedgerStore.open(dbPath);
    store.saveResponse("k1", {
      fingerprint: "abc",
      status: 201,
      body: { id: "ch_1" },
    });
    expect(store.findResponse("k1")).toEqual({
      fingerprint: "abc",
      status: 201,
      body: { id: "ch_1" },
    });
    expect(store.findResponse("k2")).toBeUndefined();
    store.close();
  });

  test("first attempt is recorded once per key", () => {
    const store = LedgerStore.open(dbPath);
    expect(store.recordFirstAttempt("k1")).toBe(true);
    expect(store.recordFirstAttempt("k1")).toBe(false);
    expect(store.recordFirstAttempt("k2")).toBe(true);
    store.close();
  });

  test("transaction rolls back on throw", () => {
    const store = LedgerStore.open(dbPath);
    expect(() =>
      store.transaction(() => {
        store.insertCharge(charge);
        throw new Error("stop");
      }),
    ).toThrow("stop");
    expect(store.listCharges()).toEqual([]);
    store.close();
  });

  test("rejects a duplicate tracking number", () => {
    const store = LedgerStore.open(dbPath);
    const shipment = {
      id: "shp_1",
      trackingNumber: "SBX000000000001",
      carrier: "sandbox-express",
      status: "created" as const,
      orderId: "ord_1",
      createdAt: charge.createdAt,
    };
    store.insertShipment(shipment);
    expect(store.hasTrackingNumber("SBX000000000001")).toBe(true);
    expect(() => store.insertShipment({ ...shipment, id: "shp_2" })).toThrow(
      /UNIQUE/,
    );
    store.close();
  });
});
