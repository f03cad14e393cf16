import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { parseArgs } from "node:util";
import { UsageError } from "../cli-args";
import { redriveDeadLetters, summarize } from "../dead-letters";
import { ADMIN_PREFIX } from "../http/admin-routes";
import { MessageStore } from "../messages/message-store";
import { readRunningState } from "../state-file";

export const DLQ_HELP = `Usage: npm run dlq -- <list | show ID | redrive ID... | redrive --all> [--data-dir DIR]

Inspects and replays the emulator's dead letters: messages whose
invocation still failed after its last retry. \`list\` also shows the
records that consumers rejected themselves (stored in orders.db).

  list            one line per dead letter: id, function, attempts, error
  show ID         the dead letter in full, with the original event
  redrive ID...   deliver these again, with their attempts reset
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

function parseIds(values: string[]): number[] {
  return values.map((value) => {
    const id = Number(value);
    if (!Number.isInteger(id) || id <= 0)
      throw new UsageError(
        `dead letter id must be a positive integer, got "${value}"`,
      );
    return id;
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
    const [id] = parseIds(rest.slice(0, 1));
    if (id === undefined)
      throw new UsageError(
        "show needs a dead letter id; run `npm run dlq -- list`",
      );
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
  const file = join(dataDir, "orders.db");
  if (!existsSync(file)) return;
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare(
        "SELECT id, reason, created_at FROM dead_letters ORDER BY created_at DESC LIMIT 50",
      )
      .all() as Array<{ id: string; reason: string; created_at: string }>;
    if (rows.length === 0) return;
    process.stdout.write(
      "\nRecords the consumers rejected (orders.db; not retried):\n",
    );
    for (const row of rows) {
      process.stdout.write(
        `  ${row.id}  ${row.created_at}  ${row.reason.slice(0, 160)}\n`,
      );
    }
  } catch (error) {
    process.stderr.write(
      `cannot read rejected records from ${file}: ${(error as Error).message}\n`,
    );
  } finally {
    db.close();
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
