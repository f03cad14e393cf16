/**
 * Requests to the emulator's Tencent Cloud API that are unsigned,
 * mis-signed or signed at the wrong time, sent with plain fetch rather than
 * the SDK. Each must be rejected with an AuthFailure code and publish
 * nothing. The SDK-level cases are in test/emulator/cloud-api.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import Sign from "tencentcloud-sdk-nodejs/tencentcloud/common/sign";
import { type CloudApi, startCloudApi } from "../../emulator/cloud-api/server";
import { MessageStore } from "../../emulator/messages/message-store";

const SECRET_ID = "AKIDsecuritytest0001";
const SECRET_KEY = "security-test-secret-key";
const PUBLISH = JSON.stringify({ TopicName: "orders", MsgContent: "hello" });

let dir: string;
let store: MessageStore;
let api: CloudApi;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cloud-api-auth-"));
  store = MessageStore.open(join(dir, "messages.db"));
  store.createTopic("orders");
  api = await startCloudApi({
    port: 0,
    store,
    credentials: { [SECRET_ID]: SECRET_KEY },
  });
});

afterAll(async () => {
  await api.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Signs PUBLISH as the SDK does, with the given time and key. */
function signedHeaders(
  options: { timestamp?: number; secretId?: string; secretKey?: string } = {},
): Record<string, string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const authorization = Sign.sign3({
    method: "POST",
    url: `${api.url}/`,
    payload: Buffer.from(PUBLISH),
    timestamp,
    service: "tdmq",
    secretId: options.secretId ?? SECRET_ID,
    secretKey: options.secretKey ?? SECRET_KEY,
    multipart: false,
    boundary: "",
    headers: { "Content-Type": "application/json" },
  });
  return {
    "Content-Type": "application/json",
    Authorization: authorization,
    "X-TC-Timestamp": String(timestamp),
    "X-TC-Version": "2020-02-17",
    "X-TC-Action": "PublishCmqMsg",
  };
}

/** POSTs PUBLISH with `headers` and returns the error code, if any. */
async function publish(
  headers: Record<string, string>,
): Promise<string | undefined> {
  const reply = await fetch(`${api.url}/`, {
    method: "POST",
    headers,
    body: PUBLISH,
  });
  const json = (await reply.json()) as {
    Response: { Error?: { Code: string } };
  };
  return json.Response.Error?.Code;
}

/** Publishes with `headers` and checks that nothing was stored. */
async function expectRejected(
  headers: Record<string, string>,
  code: string,
): Promise<void> {
  const before = store.counts().messages;
  expect(await publish(headers)).toBe(code);
  expect(store.counts().messages).toBe(before);
}

test("correctly signed publish is accepted", async () => {
  const before = store.counts().messages;
  expect(await publish(signedHeaders())).toBeUndefined();
  expect(store.counts().messages).toBe(before + 1);
});

test("unsigned fetch is InvalidAuthorization", async () => {
  await expectRejected(
    { "Content-Type": "application/json" },
    "AuthFailure.InvalidAuthorization",
  );
});

test("unsigned fetch with action headers is InvalidAuthorization", async () => {
  const { Authorization: _omitted, ...headers } = signedHeaders();
  await expectRejected(headers, "AuthFailure.InvalidAuthorization");
});

test("forged signature is SignatureFailure", async () => {
  const headers = signedHeaders();
  headers.Authorization = headers.Authorization!.replace(
    /Signature=[0-9a-f]{64}/,
    `Signature=${"ab".repeat(32)}`,
  );
  await expectRejected(headers, "AuthFailure.SignatureFailure");
});

test("signature by another key is SignatureFailure", async () => {
  await expectRejected(
    signedHeaders({ secretKey: "guessed-secret-key" }),
    "AuthFailure.SignatureFailure",
  );
});

test("unknown SecretId is SecretIdNotFound", async () => {
  await expectRejected(
    signedHeaders({ secretId: "AKIDunknown0000" }),
    "AuthFailure.SecretIdNotFound",
  );
});

test.each([
  ["301 s old", -301],
  ["6 minutes ahead", 360],
  ["a day old", -86_400],
])("timestamp %s is SignatureExpire", async (_name, offset) => {
  const timestamp = Math.floor(Date.now() / 1000) + offset;
  await expectRejected(
    signedHeaders({ timestamp }),
    "AuthFailure.SignatureExpire",
  );
});

test("random Authorization values are AuthFailure", async () => {
  const tc3Like = fc
    .tuple(
      fc.stringMatching(/^[A-Za-z0-9]{0,24}$/),
      fc.stringMatching(/^[a-z0-9;-]{0,30}$/),
      fc.stringMatching(/^[0-9a-f]{0,70}$/),
    )
    .map(
      ([id, signed, signature]) =>
        `TC3-HMAC-SHA256 Credential=${id}/2026-12-04/tdmq/tc3_request, SignedHeaders=${signed}, Signature=${signature}`,
    );
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(tc3Like, fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,80}$/)),
      async (authorization) => {
        const headers = { ...signedHeaders(), Authorization: authorization };
        const before = store.counts().messages;

        const code = await publish(headers);

        expect(code).toMatch(/^AuthFailure\./);
        expect(store.counts().messages).toBe(before);
      },
    ),
    { numRuns: 200 },
  );
});
