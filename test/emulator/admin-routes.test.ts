/**
 * The emulator's dead-letter routes over real HTTP: an empty or invalid id
 * is a 400 that leaves every dead letter in place, and only
 * `POST /_emulator/dead-letters/redrive` redrives them all.
 */
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";

const TOPIC = "admin-routes-test";

let emulator: TestEmulator;
let deadLetterId: number;

beforeAll(async () => {
  emulator = await startTestEmulator();
  // A dead letter made in the store directly: nothing enqueues it, so the
  // dispatcher leaves it alone until a route redrives it.
  emulator.store.createTopic(TOPIC);
  emulator.store.createSubscription({
    topicName: TOPIC,
    subscriptionName: "admin-routes-test",
    protocol: "scf",
    endpoint: "process-payment",
    filterTags: [],
  });
  const { deliveries } = emulator.store.publish(TOPIC, "{}");
  deadLetterId = deliveries[0]?.id ?? -1;
  emulator.store.markDead(deadLetterId, 3, "made dead by the test", {
    Records: [],
  });
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
});

async function post(path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${emulator.httpUrl}/_emulator/${path}`, {
    method: "POST",
  });
  return { status: response.status, body: await response.json() };
}

describe("dead-letter redrive routes", () => {
  test.each([
    ["dead-letters//redrive", '""'],
    ["dead-letters/abc/redrive", '"abc"'],
    ["dead-letters/0/redrive", '"0"'],
    ["dead-letters/1e0/redrive", '"1e0"'],
  ])("POST %s is 400", async (path, shownId) => {
    const { status, body } = await post(path);
    expect(status).toBe(400);
    expect(body).toEqual({
      error: "invalid_request",
      message: `dead letter id must be a positive integer, got ${shownId}`,
    });
    expect(emulator.store.getDeadLetter(deadLetterId)).toBeDefined();
  });

  test("extra path segment is 404", async () => {
    const { status } = await post(`dead-letters/${deadLetterId}/redrive/all`);
    expect(status).toBe(404);
    expect(emulator.store.getDeadLetter(deadLetterId)).toBeDefined();
  });

  test("GET of a dead letter by id", async () => {
    const response = await fetch(
      `${emulator.httpUrl}/_emulator/dead-letters/${deadLetterId}`,
    );
    const body = (await response.json()) as { error?: string };
    expect(response.status).toBe(200);
    expect(body.error).toBe("made dead by the test");
  });

  test("redrive-all route redrives every letter", async () => {
    const { status, body } = await post("dead-letters/redrive");
    expect(status).toBe(200);
    expect(body).toEqual({ redriven: [deadLetterId] });
    expect(emulator.store.getDeadLetter(deadLetterId)).toBeUndefined();
  });
});
