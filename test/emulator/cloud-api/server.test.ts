import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import Sign from "tencentcloud-sdk-nodejs/tencentcloud/common/sign";
import {
  type CloudApi,
  MAX_BODY_BYTES,
  startCloudApi,
} from "../../../emulator/cloud-api/server";
import { MessageStore } from "../../../emulator/messages/message-store";

const SECRET_ID = "AKIDlocaltest";
const SECRET_KEY = "local-secret-key";

let dir: string;
let store: MessageStore;
let api: CloudApi;
const logLines: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cloud-api-"));
  store = MessageStore.open(join(dir, "messages.db"));
  store.createTopic("orders");
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  api = await startCloudApi({
    port: 0,
    store,
    credentials: { [SECRET_ID]: SECRET_KEY },
    logger: pino({ level: "debug" }, destination),
    onPublish: () => {
      throw new Error("dispatcher is down");
    },
  });
});

afterAll(async () => {
  await api.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  logLines.length = 0;
});

interface RawReply {
  status: number;
  traceId: string | null;
  response: {
    RequestId?: string;
    Error?: { Code: string; Message: string };
    [field: string]: unknown;
  };
}

/**
 * Sends a request signed like the SDK through fetch. `headers` overrides the
 * defaults, and an undefined value drops that header.
 */
async function rawRequest(
  body: string | Buffer,
  headers: Record<string, string | undefined> = {},
  method = "POST",
): Promise<RawReply> {
  const timestamp = Math.floor(Date.now() / 1000);
  const payload = Buffer.from(body);
  const authorization = Sign.sign3({
    method,
    url: `${api.url}/`,
    payload: method === "GET" ? "" : payload,
    timestamp,
    service: "127",
    secretId: SECRET_ID,
    secretKey: SECRET_KEY,
    multipart: false,
    boundary: "",
    headers: { "Content-Type": "application/json" },
  });
  const defaults: Record<string, string | undefined> = {
    "Content-Type": "application/json",
    Authorization: authorization,
    "X-TC-Timestamp": String(timestamp),
    "X-TC-Version": "2020-02-17",
    "X-TC-Action": "DescribeCmqTopics",
  };
  const sent = Object.entries({ ...defaults, ...headers }).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  const reply = await fetch(`${api.url}/`, {
    method,
    headers: sent,
    body: method === "GET" ? undefined : payload,
  });
  const json = (await reply.json()) as { Response: RawReply["response"] };
  return {
    status: reply.status,
    traceId: reply.headers.get("x-tc-traceid"),
    response: json.Response,
  };
}

test("binds 127.0.0.1 on an ephemeral port", () => {
  expect(api.port).toBeGreaterThan(0);
  expect(api.url).toBe(`http://127.0.0.1:${api.port}`);
  expect(api.endpoint).toBe(`127.0.0.1:${api.port}`);
});

test("success is HTTP 200 with RequestId", async () => {
  const reply = await rawRequest("{}", { "X-TC-TraceId": "trace-1" });
  expect(reply.status).toBe(200);
  expect(reply.traceId).toBe("trace-1");
  expect(reply.response.Error).toBeUndefined();
  expect(reply.response.TotalCount).toBe(1);
  expect(reply.response.RequestId).toMatch(/^[0-9a-f-]{36}$/);
});

test("body over 1 MB is InvalidParameter", async () => {
  const body = JSON.stringify({
    TopicName: "orders",
    MsgContent: "x".repeat(MAX_BODY_BYTES),
  });
  const reply = await rawRequest(body, { "X-TC-Action": "PublishCmqMsg" });
  expect(reply.status).toBe(200);
  expect(reply.response.Error?.Code).toBe("InvalidParameter");
  expect(store.counts().messages).toBe(0);
});

test.each([
  ["not JSON", "{TopicName:"],
  ["a JSON array", "[]"],
])("body that is %s is InvalidParameter", async (_case, body) => {
  const reply = await rawRequest(body);
  expect(reply.status).toBe(200);
  expect(reply.response.Error?.Code).toBe("InvalidParameter");
});

test("GET is InvalidParameter", async () => {
  const reply = await rawRequest("", {}, "GET");
  expect(reply.response.Error?.Code).toBe("InvalidParameter");
});

test("missing version is MissingParameter", async () => {
  const reply = await rawRequest("{}", { "X-TC-Version": undefined });
  expect(reply.response.Error?.Code).toBe("MissingParameter");
});

test("other version is NoSuchVersion", async () => {
  const reply = await rawRequest("{}", { "X-TC-Version": "2019-03-04" });
  expect(reply.response.Error?.Code).toBe("NoSuchVersion");
});

test("missing action is MissingParameter", async () => {
  const reply = await rawRequest("{}", { "X-TC-Action": undefined });
  expect(reply.response.Error?.Code).toBe("MissingParameter");
  expect(reply.response.Error?.Message).toContain("Action");
});

test("unknown action is InvalidAction", async () => {
  const reply = await rawRequest("{}", { "X-TC-Action": "ClearCmqQueue" });
  expect(reply.response.Error?.Code).toBe("InvalidAction");
});

test("missing Authorization is InvalidAuthorization", async () => {
  const reply = await rawRequest("{}", { Authorization: undefined });
  expect(reply.response.Error?.Code).toBe("AuthFailure.InvalidAuthorization");
});

test("rejections are logged with action and code", async () => {
  await rawRequest("{}", { "X-TC-Action": "ClearCmqQueue" });
  const entries = logLines.map(
    (line) => JSON.parse(line) as Record<string, unknown>,
  );
  const rejected = entries.find((entry) => entry.code === "InvalidAction");
  expect(rejected?.action).toBe("ClearCmqQueue");
  expect(rejected?.requestId).toEqual(expect.any(String));
});

test("logs never contain credentials", async () => {
  await rawRequest("{}");
  await rawRequest("{}", { Authorization: undefined });
  const text = logLines.join("");
  expect(logLines.length).toBeGreaterThan(0);
  expect(text).not.toContain(SECRET_KEY);
  expect(text).not.toContain("Signature=");
});

test("failing onPublish still stores and answers", async () => {
  const reply = await rawRequest(
    JSON.stringify({ TopicName: "orders", MsgContent: "x" }),
    {
      "X-TC-Action": "PublishCmqMsg",
    },
  );
  expect(reply.response.Result).toBe(true);
  expect(store.counts().messages).toBe(1);
  const entries = logLines.map(
    (line) => JSON.parse(line) as Record<string, unknown>,
  );
  const failure = entries.find((entry) => entry.msgId === reply.response.MsgId);
  expect(failure?.msg).toContain("onPublish");
});

test("close stops accepting connections", async () => {
  const other = await startCloudApi({ port: 0, store, credentials: {} });
  await other.close();
  await expect(
    fetch(`${other.url}/`, { method: "POST", body: "{}" }),
  ).rejects.toThrow();
});
