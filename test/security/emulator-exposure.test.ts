/**
 * What the running emulator exposes: every server listens on 127.0.0.1
 * only, and the HTTP triggers enforce ORDER_API_KEYS without logging the
 * key. Connection attempts go only to addresses of this machine.
 */
import { randomUUID } from "node:crypto";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { SAMPLE_ORDER } from "../helpers/scf-events";
import { orderUrls } from "../fuzz/emulator-routes";

const API_KEY = "emulator-order-api-key-c41d7e";

let emulator: TestEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator({
    env: { PATH: process.env.PATH, ORDER_API_KEYS: API_KEY },
  });
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
});

function serviceUrls(): Array<[string, string]> {
  return [
    ["HTTP triggers", emulator.httpUrl],
    ["cloud API", emulator.services.cloudApiUrl],
    ["payment sandbox", emulator.services.paymentUrl],
    ["carrier sandbox", emulator.services.carrierUrl],
  ];
}

/** Connects to host:port and returns "connected" or the error code. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve("timeout");
    });
    socket.once("error", (error: NodeJS.ErrnoException) =>
      resolve(error.code ?? error.message),
    );
  });
}

/**
 * Addresses of this machine other than 127.0.0.1: those of its network
 * interfaces (link-local IPv6 left out, as it needs a zone) and 127.0.0.2,
 * which Linux routes to the loopback interface.
 */
function otherLocalAddresses(): string[] {
  const addresses = ["127.0.0.2"];
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.address === "127.0.0.1") continue;
      if (entry.family === "IPv6" && entry.address.startsWith("fe80:"))
        continue;
      addresses.push(entry.address);
    }
  }
  return addresses;
}

describe("listening addresses", () => {
  test("every service URL is on 127.0.0.1", () => {
    for (const [name, url] of serviceUrls()) {
      expect([name, new URL(url).hostname]).toEqual([name, "127.0.0.1"]);
    }
  });

  test("every port accepts 127.0.0.1", async () => {
    for (const [name, url] of serviceUrls()) {
      const outcome = await tryConnect("127.0.0.1", Number(new URL(url).port));
      expect([name, outcome]).toEqual([name, "connected"]);
    }
  });

  test("every port refuses other local addresses", async () => {
    const addresses = otherLocalAddresses();
    expect(addresses.length).toBeGreaterThan(0);
    for (const [name, url] of serviceUrls()) {
      const port = Number(new URL(url).port);
      for (const address of addresses) {
        const outcome = await tryConnect(address, port);
        expect([name, address, outcome]).toEqual([
          name,
          address,
          "ECONNREFUSED",
        ]);
      }
    }
  });
});

describe("API key over HTTP", () => {
  async function post(headers: Record<string, string>): Promise<Response> {
    return fetch(orderUrls(emulator).create, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "idempotency-key": randomUUID(),
        ...headers,
      },
      body: JSON.stringify(SAMPLE_ORDER),
    });
  }

  test("missing key is 401", async () => {
    const response = await post({});
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(401);
    expect(body.error).toBe("unauthorized");
  });

  test("wrong key is 401", async () => {
    const response = await post({ "x-api-key": `${API_KEY}-wrong` });
    expect(response.status).toBe(401);
  });

  test("right key is 202 and readable", async () => {
    const response = await post({ "X-Api-Key": API_KEY });
    const accepted = (await response.json()) as { orderId: string };
    expect(response.status).toBe(202);

    const unauthenticated = await fetch(
      orderUrls(emulator).get(accepted.orderId),
    );
    expect(unauthenticated.status).toBe(401);
    const read = await fetch(orderUrls(emulator).get(accepted.orderId), {
      headers: { "x-api-key": API_KEY },
    });
    expect(read.status).toBe(200);
  });

  test("function logs are captured without the key", async () => {
    await post({ "x-api-key": API_KEY });
    await post({ "x-api-key": `${API_KEY}-wrong` });
    const logs = emulator.functionLogs();

    expect(logs).toContain('"msg":"request rejected"');
    expect(logs).toContain('"msg":"order accepted"');
    expect(logs).not.toContain(API_KEY);
  });
});
