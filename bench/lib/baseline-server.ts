import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import Database from "better-sqlite3";
import { MIGRATIONS } from "../../src/storage/migrations";
import { listenOnLoopback } from "./listen";

export interface BaselineServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the intake baseline: a bare node:http server on 127.0.0.1 whose
 * `POST /orders` only runs JSON.parse on the body and inserts the order,
 * its first history row and its outbox row in one SQLite transaction, with
 * the pipeline's schema and pragmas (WAL, synchronous=NORMAL). It is the
 * floor cost of accepting an order on this machine, without validation,
 * isolation, events or publishing.
 */
export async function startBaselineServer(
  dbPath: string,
): Promise<BaselineServer> {
  const db = new Database(dbPath);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  for (const migration of MIGRATIONS) db.exec(migration.sql);

  const insertOrder = db.prepare(
    `INSERT INTO orders (order_id, status, customer_id, currency, items, total_amount,
       shipping_address, payment_token, created_at, updated_at)
     VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertHistory = db.prepare(
    "INSERT INTO order_history (order_id, seq, status, reason, at) VALUES (?, 1, 'pending', NULL, ?)",
  );
  const insertOutbox = db.prepare(
    `INSERT INTO outbox (message_id, topic, tag, order_id, body, created_at, attempts)
     VALUES (?, 'order-created', 'order.created', ?, ?, ?, 0)`,
  );
  const store = db.transaction((order: Record<string, any>) => {
    const now = new Date().toISOString();
    const orderId = `ord_${randomUUID().replace(/-/g, "")}`;
    const items = order.items as Array<{ quantity: number; unitPrice: number }>;
    const total = items.reduce(
      (sum, item) => sum + item.quantity * item.unitPrice,
      0,
    );
    insertOrder.run(
      orderId,
      order.customerId,
      order.currency,
      JSON.stringify(items),
      total,
      JSON.stringify(order.shippingAddress),
      order.paymentToken,
      now,
      now,
    );
    insertHistory.run(orderId, now);
    const messageId = randomUUID();
    const body = JSON.stringify({
      messageId,
      type: "order.created",
      orderId,
      occurredAt: now,
      data: { totalAmount: total, currency: order.currency },
    });
    insertOutbox.run(messageId, orderId, body, now);
    return { orderId, status: "pending", totalAmount: total };
  });

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      let status = 202;
      let reply: unknown;
      try {
        reply = store(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch (error) {
        status = 400;
        reply = { error: (error as Error).message };
      }
      const text = JSON.stringify(reply);
      response.writeHead(status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(text),
      });
      response.end(text);
    });
  });
  const url = await listenOnLoopback(server);
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          db.close();
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
