import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { parseArgs } from "node:util";
import { UsageError } from "../cli-args";
import { redriveDeadLetters, summarize } from "../dead-letters";
import { ADMIN_PREFIX } from "../http/admin-routes";
import { MessageStore } from "../messages/message-store";
import { readRunningState } from "../state-file";
import { type DeadLetterRow, deadLetterFromRow } from "../../src/storage/rows";

export const DLQ_HELP = `Usage: npm run dlq -- <list | show ID | redrive ID... | redrive --all> [--data-dir DIR]

Inspects and replays the emulator's dead letters: messages whose
invocation still failed after its last retry. \`list\` also shows the
records that consumers rejected themselves (stored in orders.db), with
ids of the form FUNCTION:MESSAGE_ID; \`show\` prints those too, but they
are never retried, so \`redrive\` does not take them.

  list            one line per dead letter: id, function, attempts, error
  show ID         the dead letter or rejected record in full, with the
                  original event or record
  redrive ID...   deliver these dead letters again, with their attempts reset
  redrive --all   deliver every dead letter again

With the emulator running on the same data folder, a redriven message is
delivered at once; otherwise at the next \`npm start\`.
`;

async function viaEmulator(
  httpUrl: string,
  method: string,
  path: string,
): Promise<unknown> {
  const response = await fetch(`${httpUrl}${ADMIN_PREFIX}${path}`, { method });
  const body = (await response.json()) as { message?: string };
  if (!response.ok)
    throw new UsageError(
      body.message ?? `emulator answered ${response.status}`,
    );
  return body;
}

/** Dead letter ids are delivery ids: decimal integers from 1. */
function isDeadLetterId(value: string): boolean {
  return /^[1-9][0-9]*$/.test(value);
}

/**
 * Rejected record ids are "<function>:<message id or payload hash>", so they
 * never look like a dead letter id.
 */
function isRejectedRecordId(value: string): boolean {
  return value.includes(":");
}

function parseIds(values: string[]): number[] {
  return values.map((value) => {
    if (isRejectedRecordId(value)) {
      throw new UsageError(
        `cannot redrive ${value}: it is a record that a consumer rejected, and those are never retried. Redrive takes dead letter ids (positive integers)`,
      );
    }
    if (!isDeadLetterId(value))
      throw new UsageError(
        `dead letter id must be a positive integer, got "${value}"`,
      );
    return Number(value);
  });
}

function printList(letters: ReturnType<typeof summarize>[]): void {
  if (letters.length === 0) {
    process.stdout.write("no dead letters\n");
    return;
  }
  for (const letter of letters) {
    const error = letter.error.replace(/\s+/g, " ").slice(0, 200);
    process.stdout.write(
      `${String(letter.id).padStart(6)}  ${letter.functionKey}  ${letter.topicName}  attempts=${letter.attempts}  ${letter.failedAt}  ${error}\n`,
    );
  }
}

/** Runs `dlq`; returns the exit code. */
export async function runDlq(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      all: { type: "boolean", default: false },
      "data-dir": { type: "string", default: ".scf-local" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [action, ...rest] = positionals;
  if (values.help || action === undefined) {
    process.stdout.write(DLQ_HELP);
    return values.help ? 0 : 2;
  }

  const dataDir = resolve(values["data-dir"]);
  const running = readRunningState(dataDir);
  if (action === "list") {
    const letters = running
      ? ((await viaEmulator(
          running.httpUrl,
          "GET",
          "dead-letters",
        )) as ReturnType<typeof summarize>[])
      : withStore(dataDir, (store) => store.listDeadLetters().map(summarize));
    printList(letters);
    printRejectedRecords(dataDir);
    return 0;
  }
  if (action === "show") {
    const [value] = rest;
    if (value === undefined)
      throw new UsageError(
        "show needs a dead letter id; run `npm run dlq -- list`",
      );
    if (isRejectedRecordId(value)) {
      const record = readRejectedRecord(dataDir, value);
      if (!record)
        throw new UsageError(
          `no rejected record ${value} in ${join(dataDir, "orders.db")}; run \`npm run dlq -- list\``,
        );
      process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
      return 0;
    }
    const [id] = parseIds([value]) as [number];
    const letter = running
      ? await viaEmulator(running.httpUrl, "GET", `dead-letters/${id}`)
      : withStore(dataDir, (store) => store.getDeadLetter(id));
    if (!letter)
      throw new UsageError(`no dead letter ${id}; run \`npm run dlq -- list\``);
    process.stdout.write(`${JSON.stringify(letter, null, 2)}\n`);
    return 0;
  }
  if (action === "redrive") {
    const ids = values.all ? "all" : parseIds(rest);
    if (ids !== "all" && ids.length === 0)
      throw new UsageError("redrive needs dead letter ids or --all");
    const redriven = running
      ? await redriveRunning(running.httpUrl, ids)
      : withStore(dataDir, (store) => redriveDeadLetters(store, ids));
    const when = running
      ? "delivering now"
      : "they are delivered at the next npm start";
    process.stdout.write(
      `redrove ${redriven.length} dead letters (${redriven.join(", ") || "none"}); ${when}\n`,
    );
    return 0;
  }
  throw new UsageError(
    `unknown dlq action "${action}"; use list, show or redrive`,
  );
}

async function redriveRunning(
  httpUrl: string,
  ids: number[] | "all",
): Promise<number[]> {
  if (ids === "all") {
    const body = (await viaEmulator(
      httpUrl,
      "POST",
      "dead-letters/redrive",
    )) as { redriven: number[] };
    return body.redriven;
  }
  const redriven: number[] = [];
  for (const id of ids) {
    const body = (await viaEmulator(
      httpUrl,
      "POST",
      `dead-letters/${id}/redrive`,
    )) as { redriven: number[] };
    redriven.push(...body.redriven);
  }
  return redriven;
}

/**
 * Prints the records that consumers dead-lettered themselves (invalid, or
 * for an unknown order) from the local orders.db. They are never retried,
 * so redrive does not apply to them.
 */
function printRejectedRecords(dataDir: string): void {
  const rows = withOrdersDb(
    dataDir,
    (db) =>
      db
        .prepare(
          "SELECT id, reason, created_at FROM dead_letters ORDER BY created_at DESC LIMIT 50",
        )
        .all() as Array<{ id: string; reason: string; created_at: string }>,
  );
  if (!rows || rows.length === 0) return;
  process.stdout.write(
    "\nRecords the consumers rejected (orders.db; not retried; `show ID` prints one):\n",
  );
  for (const row of rows) {
    process.stdout.write(
      `  ${row.id}  ${row.created_at}  ${row.reason.slice(0, 160)}\n`,
    );
  }
}

/**
 * Reads one rejected record from the local orders.db, with its payload
 * parsed when it is JSON. Returns undefined when there is none.
 */
function readRejectedRecord(
  dataDir: string,
  id: string,
): Record<string, unknown> | undefined {
  const row = withOrdersDb(
    dataDir,
    (db) =>
      db.prepare("SELECT * FROM dead_letters WHERE id = ?").get(id) as
        DeadLetterRow | undefined,
  );
  if (!row) return undefined;
  const record = deadLetterFromRow(row);
  let payload: unknown = record.payload;
  try {
    payload = JSON.parse(record.payload);
  } catch {
    // Consumers store JSON text, so a payload that does not parse was
    // written by something else and is shown as stored.
  }
  return {
    id: record.id,
    source: record.source,
    messageId: record.messageId,
    orderId: record.orderId,
    reason: record.reason,
    createdAt: record.createdAt,
    payload,
  };
}

/**
 * Runs `use` on orders.db opened read-only. Returns undefined, after
 * printing why to stderr, when the file is missing or cannot be read.
 */
function withOrdersDb<T>(
  dataDir: string,
  use: (db: Database.Database) => T,
): T | undefined {
  const file = join(dataDir, "orders.db");
  if (!existsSync(file)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true });
    return use(db);
  } catch (error) {
    process.stderr.write(
      `cannot read rejected records from ${file}: ${(error as Error).message}\n`,
    );
    return undefined;
  } finally {
    db?.close();
  }
}

function withStore<T>(dataDir: string, use: (store: MessageStore) => T): T {
  const store = MessageStore.open(join(dataDir, "messages.db"));
  try {
    return use(store);
  } catch (error) {
    if ((error as { code?: string }).code === "not_found")
      throw new UsageError((error as Error).message);
    throw error;
  } finally {
    store.close();
  }
}
