import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Sign from "tencentcloud-sdk-nodejs/tencentcloud/common/sign";
import TencentCloudSDKHttpException from "tencentcloud-sdk-nodejs/tencentcloud/common/exception/tencent_cloud_sdk_exception";
import { tdmq } from "tencentcloud-sdk-nodejs/tencentcloud/services/tdmq";
import {
  type CloudApi,
  startCloudApi,
} from "../../../emulator/cloud-api/server";
import { verifyTc3Request } from "../../../emulator/cloud-api/tc3-signature";
import { MessageStore } from "../../../emulator/messages/message-store";

// The SDK sends through http_proxy when it is set, and loopback calls must not be proxied.
delete process.env.http_proxy;
delete process.env.HTTP_PROXY;

const SECRET_ID = "AKIDlocaltest";
const SECRET_KEY = "local-secret-key";
const TdmqClient = tdmq.v20200217.Client;

let dir: string;
let store: MessageStore;
let api: CloudApi;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tc3-"));
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

afterEach(() => jest.restoreAllMocks());

function client(secretId = SECRET_ID, secretKey = SECRET_KEY) {
  return new TdmqClient({
    credential: { secretId, secretKey },
    region: "ap-guangzhou",
    profile: {
      httpProfile: {
        endpoint: api.endpoint,
        protocol: "http://",
        reqTimeout: 10,
      },
    },
  });
}

/** Runs an SDK call and returns the code of the TencentCloudSDKHttpException it rejects with. */
async function errorCode(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TencentCloudSDKHttpException) return error.code;
    throw error;
  }
  throw new Error("expected the SDK call to fail, but it succeeded");
}

describe("through the SDK", () => {
  test("signed publish passes", async () => {
    const reply = await client().PublishCmqMsg({
      TopicName: "orders",
      MsgContent: "hello",
    });
    expect(reply.Result).toBe(true);
    expect(reply.MsgId).toMatch(/^[0-9a-f]{32}$/);
  });

  test("tampered body is SignatureFailure", async () => {
    // The SDK serialises the request twice: first for the body it sends, then
    // for the hash it signs. A toJSON that returns a different value on each call
    // makes the sent body differ from the signed one.
    let calls = 0;
    const content = { toJSON: () => (calls++ === 0 ? "tampered" : "original") };
    const request = {
      TopicName: "orders",
      MsgContent: content as unknown as string,
    };
    expect(await errorCode(client().PublishCmqMsg(request))).toBe(
      "AuthFailure.SignatureFailure",
    );
    expect(calls).toBe(2);
  });

  test("wrong secret key is SignatureFailure", async () => {
    const call = client(SECRET_ID, "wrong-key").PublishCmqMsg({
      TopicName: "orders",
      MsgContent: "x",
    });
    expect(await errorCode(call)).toBe("AuthFailure.SignatureFailure");
  });

  test("unknown SecretId is SecretIdNotFound", async () => {
    const call = client("AKIDunknown").PublishCmqMsg({
      TopicName: "orders",
      MsgContent: "x",
    });
    expect(await errorCode(call)).toBe("AuthFailure.SecretIdNotFound");
  });

  test("timestamp 10 minutes old is SignatureExpire", async () => {
    // The SDK takes X-TC-Timestamp from new Date().getTime(), the server from Date.now().
    const past = Date.now() - 10 * 60 * 1000;
    jest.spyOn(Date.prototype, "getTime").mockReturnValue(past);
    const call = client().PublishCmqMsg({
      TopicName: "orders",
      MsgContent: "x",
    });
    expect(await errorCode(call)).toBe("AuthFailure.SignatureExpire");
  });

  test("no publish is stored after a rejection", async () => {
    const before = store.counts().messages;
    await errorCode(
      client(SECRET_ID, "wrong-key").PublishCmqMsg({
        TopicName: "orders",
        MsgContent: "x",
      }),
    );
    expect(store.counts().messages).toBe(before);
  });
});

describe("verifyTc3Request", () => {
  const now = 1_800_000_000;
  const body = Buffer.from('{"TopicName":"orders"}');
  const lookup = (secretId: string) =>
    secretId === SECRET_ID ? SECRET_KEY : undefined;

  /** Signs like the SDK and returns the headers Node would parse from its request. */
  function signedHeaders(
    options: { timestamp?: number; service?: string; payload?: Buffer } = {},
  ) {
    const timestamp = options.timestamp ?? now;
    const authorization = Sign.sign3({
      method: "POST",
      url: "http://127.0.0.1:9000/",
      payload: options.payload ?? body,
      timestamp,
      service: options.service ?? "127",
      secretId: SECRET_ID,
      secretKey: SECRET_KEY,
      multipart: false,
      boundary: "",
      headers: { "Content-Type": "application/json" },
    });
    return {
      authorization,
      "content-type": "application/json",
      host: "127.0.0.1:9000",
      "x-tc-timestamp": String(timestamp),
    };
  }

  test("accepts an SDK signature", () => {
    const check = verifyTc3Request(
      { method: "POST", headers: signedHeaders(), body },
      lookup,
      now,
    );
    expect(check).toEqual({ ok: true, secretId: SECRET_ID, service: "127" });
  });

  test("takes the service from the scope", () => {
    const headers = signedHeaders({ service: "tdmq" });
    const check = verifyTc3Request(
      { method: "POST", headers, body },
      lookup,
      now,
    );
    expect(check).toEqual({ ok: true, secretId: SECRET_ID, service: "tdmq" });
  });

  test("accepts a clock skew of 300 s", () => {
    const headers = signedHeaders();
    expect(
      verifyTc3Request({ method: "POST", headers, body }, lookup, now + 300).ok,
    ).toBe(true);
    const late = verifyTc3Request(
      { method: "POST", headers, body },
      lookup,
      now + 301,
    );
    expect(late).toMatchObject({
      ok: false,
      code: "AuthFailure.SignatureExpire",
    });
  });

  test("future timestamp is SignatureExpire", () => {
    const headers = signedHeaders({ timestamp: now + 600 });
    const check = verifyTc3Request(
      { method: "POST", headers, body },
      lookup,
      now,
    );
    expect(check).toMatchObject({
      ok: false,
      code: "AuthFailure.SignatureExpire",
    });
  });

  const scope = `Credential=${SECRET_ID}/2027-01-15/127/tc3_request`;
  const zeros = "0".repeat(64);

  test.each([
    ["missing", undefined],
    ["another algorithm", "HMAC-SHA1 Credential=x"],
    [
      "no signature",
      `TC3-HMAC-SHA256 ${scope}, SignedHeaders=content-type;host`,
    ],
    [
      "short signature",
      `TC3-HMAC-SHA256 ${scope}, SignedHeaders=content-type;host, Signature=abc`,
    ],
    [
      "scope without tc3_request",
      `TC3-HMAC-SHA256 Credential=${SECRET_ID}/2027-01-15/127, SignedHeaders=content-type;host, Signature=${zeros}`,
    ],
    [
      "host not signed",
      `TC3-HMAC-SHA256 ${scope}, SignedHeaders=content-type, Signature=${zeros}`,
    ],
  ])("authorization %s is InvalidAuthorization", (_case, authorization) => {
    const headers = { ...signedHeaders(), authorization };
    const check = verifyTc3Request(
      { method: "POST", headers, body },
      lookup,
      now,
    );
    expect(check).toMatchObject({
      ok: false,
      code: "AuthFailure.InvalidAuthorization",
    });
  });

  test("scope date must match the timestamp", () => {
    const headers = signedHeaders();
    const otherDay = headers.authorization.replace(
      /\/\d{4}-\d{2}-\d{2}\//,
      "/2001-01-01/",
    );
    const check = verifyTc3Request(
      {
        method: "POST",
        headers: { ...headers, authorization: otherDay },
        body,
      },
      lookup,
      now,
    );
    expect(check).toMatchObject({
      ok: false,
      code: "AuthFailure.SignatureFailure",
    });
  });

  test("missing timestamp is SignatureFailure", () => {
    const { "x-tc-timestamp": _omitted, ...headers } = signedHeaders();
    const check = verifyTc3Request(
      { method: "POST", headers, body },
      lookup,
      now,
    );
    expect(check).toMatchObject({
      ok: false,
      code: "AuthFailure.SignatureFailure",
    });
  });

  test("changed body is SignatureFailure", () => {
    const headers = signedHeaders();
    const changed = Buffer.from('{"TopicName":"refunds"}');
    const check = verifyTc3Request(
      { method: "POST", headers, body: changed },
      lookup,
      now,
    );
    expect(check).toMatchObject({
      ok: false,
      code: "AuthFailure.SignatureFailure",
    });
  });

  test("changed content type is SignatureFailure", () => {
    const headers = { ...signedHeaders(), "content-type": "text/plain" };
    const check = verifyTc3Request(
      { method: "POST", headers, body },
      lookup,
      now,
    );
    expect(check).toMatchObject({
      ok: false,
      code: "AuthFailure.SignatureFailure",
    });
  });

  test("host is signed without its port", () => {
    const headers = { ...signedHeaders(), host: "127.0.0.1:1234" };
    expect(
      verifyTc3Request({ method: "POST", headers, body }, lookup, now).ok,
    ).toBe(true);
    const otherHost = { ...headers, host: "localhost:9000" };
    const check = verifyTc3Request(
      { method: "POST", headers: otherHost, body },
      lookup,
      now,
    );
    expect(check).toMatchObject({
      ok: false,
      code: "AuthFailure.SignatureFailure",
    });
  });

  test("unknown SecretId is SecretIdNotFound", () => {
    const check = verifyTc3Request(
      { method: "POST", headers: signedHeaders(), body },
      () => undefined,
      now,
    );
    expect(check).toMatchObject({
      ok: false,
      code: "AuthFailure.SecretIdNotFound",
    });
  });
});
