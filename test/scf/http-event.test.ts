import { ValidationError } from "../../src/errors";
import { header, HTTP_METHODS, parseHttpEvent } from "../../src/scf/http-event";
import {
  apigwEvent,
  functionUrlEvent,
  SAMPLE_ORDER,
} from "../helpers/scf-events";

/** Returns the issue fields of the ValidationError that `event` raises. */
function rejectedFields(event: unknown): string[] {
  try {
    parseHttpEvent(event);
  } catch (error) {
    if (error instanceof ValidationError) {
      return error.issues.map((issue) => issue.field);
    }
    throw error;
  }
  throw new Error("parseHttpEvent accepted the event");
}

function base64(text: string | Buffer): string {
  return Buffer.from(text).toString("base64");
}

describe("parseHttpEvent with API Gateway events", () => {
  const documentedSample = {
    requestContext: {
      serviceId: "service-f94sy04v",
      path: "/test/{path}",
      httpMethod: "POST",
      requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
      identity: { secretId: "abdcdxxxxxxxsdfs" },
      sourceIp: "10.0.2.14",
      stage: "release",
    },
    headers: {
      "Accept-Language": "en-US,en,cn",
      Accept: "text/html,application/xml,application/json",
      Host: "service-3ei3tii4-251000691.ap-guangzhou.apigateway.myqloud.com",
      "User-Agent": "User Agent String",
    },
    body: '{"test":"body"}',
    pathParameters: { path: "value" },
    queryStringParameters: { foo: "bar" },
    headerParameters: { Refer: "10.0.2.14" },
    stageVariables: { stage: "release" },
    path: "/test/value",
    queryString: { foo: "bar", bob: "alice" },
    httpMethod: "POST",
  };

  it("accepts the documented sample", () => {
    const request = parseHttpEvent(documentedSample);
    expect(request.shape).toBe("apigw");
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/test/value");
    expect(request.body).toBe('{"test":"body"}');
    expect(request.pathParameters).toEqual({ path: "value" });
    expect(request.query).toEqual({ foo: "bar", bob: "alice" });
    expect(request.requestId).toBe("c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
    expect(request.sourceIp).toBe("10.0.2.14");
    expect(request.headers["accept-language"]).toBe("en-US,en,cn");
  });

  it("lower-cases header names", () => {
    const request = parseHttpEvent(documentedSample);
    expect(Object.keys(request.headers)).toEqual([
      "accept-language",
      "accept",
      "host",
      "user-agent",
    ]);
  });

  it("accepts lower-case headers without requestContext.requestId", () => {
    const event = apigwEvent({
      requestContext: {
        serviceId: "service-test01",
        path: "/orders",
        httpMethod: "POST",
        identity: {},
        sourceIp: "10.0.0.1",
        stage: "debug",
      },
      headers: { "x-api-requestid": "req-from-header", accept: "*/*" },
    });
    const request = parseHttpEvent(event);
    expect(request.shape).toBe("apigw");
    expect(request.requestId).toBe("req-from-header");
    expect(request.headers.accept).toBe("*/*");
  });

  it("prefers requestContext.requestId over headers", () => {
    const event = apigwEvent({ headers: { "X-Api-RequestId": "other" } });
    expect(parseHttpEvent(event).requestId).toBe("req-apigw-1");
  });

  it("accepts isBase64Encoded false", () => {
    const event = apigwEvent({ isBase64Encoded: false, body: "aGk=" });
    expect(parseHttpEvent(event).body).toBe("aGk=");
  });

  it("accepts an event without isBase64Encoded", () => {
    const event = apigwEvent({ isBase64Encoded: undefined });
    expect(parseHttpEvent(event).body).toBe(JSON.stringify(SAMPLE_ORDER));
  });

  it("decodes a base64 body", () => {
    const text = JSON.stringify(SAMPLE_ORDER);
    const event = apigwEvent({ isBase64Encoded: true, body: base64(text) });
    expect(parseHttpEvent(event).body).toBe(text);
  });

  it("decodes base64 without padding", () => {
    const event = apigwEvent({ isBase64Encoded: true, body: "aGk" });
    expect(parseHttpEvent(event).body).toBe("hi");
  });

  it("decodes base64 of non-ASCII UTF-8 text", () => {
    const event = apigwEvent({ isBase64Encoded: true, body: base64("深圳") });
    expect(parseHttpEvent(event).body).toBe("深圳");
  });

  it("falls back to queryStringParameters", () => {
    const event = apigwEvent({
      queryString: undefined,
      queryStringParameters: { limit: "10" },
    });
    expect(parseHttpEvent(event).query).toEqual({ limit: "10" });
  });

  it("takes queryString over queryStringParameters", () => {
    const event = apigwEvent({
      queryString: { limit: "20", page: "2" },
      queryStringParameters: { limit: "10" },
    });
    expect(parseHttpEvent(event).query).toEqual({ limit: "20", page: "2" });
  });

  it("reads sourceIp from x-scf-remote-addr without requestContext", () => {
    const event = apigwEvent({
      requestContext: { serviceId: "service-test01" },
      headers: { "X-Scf-Remote-Addr": "198.51.100.9" },
    });
    expect(parseHttpEvent(event).sourceIp).toBe("198.51.100.9");
  });

  it("treats a null requestContext as absent", () => {
    const event = apigwEvent({ requestContext: null });
    expect(parseHttpEvent(event).shape).toBe("function-url");
  });

  it("tolerates unknown top-level fields", () => {
    const event = apigwEvent({ platformAddedField: { any: ["thing"] } });
    expect(parseHttpEvent(event).method).toBe("POST");
  });

  it("copies pathParameters", () => {
    const event = apigwEvent({
      httpMethod: "GET",
      path: "/orders/ord_1",
      pathParameters: { id: "ord_1" },
    });
    expect(parseHttpEvent(event).pathParameters).toEqual({ id: "ord_1" });
  });
});

describe("parseHttpEvent with Function URL events", () => {
  const documentedSample = {
    body: '{"test":"hello world"}',
    headers: {
      accept: "*/*",
      "content-length": "17",
      "x-scf-remote-addr": "111.206.96.145",
    },
    httpMethod: "POST",
    path: "/",
    queryString: { a: "1", b: "2" },
  };

  it("accepts the documented sample", () => {
    const request = parseHttpEvent(documentedSample);
    expect(request.shape).toBe("function-url");
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/");
    expect(request.body).toBe('{"test":"hello world"}');
    expect(request.query).toEqual({ a: "1", b: "2" });
    expect(request.pathParameters).toEqual({});
    expect(request.sourceIp).toBe("111.206.96.145");
    expect(request.requestId).toBeUndefined();
  });

  it("reads requestId from x-scf-request-id", () => {
    const event = functionUrlEvent({
      headers: { "x-scf-request-id": "req-scf-9" },
    });
    expect(parseHttpEvent(event).requestId).toBe("req-scf-9");
  });

  it("decodes a base64 body when isBase64Encoded is true", () => {
    const event = functionUrlEvent({
      isBase64Encoded: true,
      body: base64("ok"),
    });
    expect(parseHttpEvent(event).body).toBe("ok");
  });

  it("accepts an event without headers", () => {
    const event = functionUrlEvent({ headers: undefined });
    expect(parseHttpEvent(event).headers).toEqual({});
  });
});

describe("parseHttpEvent normalization", () => {
  it("joins array header values", () => {
    const event = functionUrlEvent({
      headers: { Accept: ["application/json", "text/plain"] },
    });
    expect(parseHttpEvent(event).headers.accept).toBe(
      "application/json, text/plain",
    );
  });

  it("joins headers whose names differ only in case", () => {
    const event = functionUrlEvent({
      headers: { "X-Tag": "a", "x-tag": "b" },
    });
    expect(parseHttpEvent(event).headers["x-tag"]).toBe("a, b");
  });

  it("reads the body as empty when missing", () => {
    const event = functionUrlEvent({ body: undefined });
    expect(parseHttpEvent(event).body).toBe("");
  });

  it("reads the body as empty when null", () => {
    const event = functionUrlEvent({ body: null });
    expect(parseHttpEvent(event).body).toBe("");
  });

  it("keeps an empty body", () => {
    const event = functionUrlEvent({ body: "" });
    expect(parseHttpEvent(event).body).toBe("");
  });

  it("keeps a JSON body as text", () => {
    const text = JSON.stringify(SAMPLE_ORDER);
    const event = functionUrlEvent({ body: text });
    expect(parseHttpEvent(event).body).toBe(text);
  });

  it("decodes an empty base64 body", () => {
    const event = functionUrlEvent({ isBase64Encoded: true, body: "" });
    expect(parseHttpEvent(event).body).toBe("");
  });

  it("reads queryString without queryStringParameters", () => {
    const event = functionUrlEvent({ queryString: { status: "paid" } });
    expect(parseHttpEvent(event).query).toEqual({ status: "paid" });
  });

  it("keeps repeated query keys as arrays", () => {
    const event = functionUrlEvent({
      queryString: { sku: ["TEA-250G", "TEA-500G"], page: "1" },
    });
    const { query } = parseHttpEvent(event);
    expect(query.sku).toEqual(["TEA-250G", "TEA-500G"]);
    expect(query.page).toBe("1");
  });

  it("reads a missing queryString as empty", () => {
    const event = functionUrlEvent({ queryString: undefined });
    expect(parseHttpEvent(event).query).toEqual({});
  });

  it("upper-cases httpMethod", () => {
    const event = functionUrlEvent({ httpMethod: "patch" });
    expect(parseHttpEvent(event).method).toBe("PATCH");
  });

  it.each(HTTP_METHODS.map((method) => [method]))(
    "accepts method %s",
    (method) => {
      const event = functionUrlEvent({ httpMethod: method });
      expect(parseHttpEvent(event).method).toBe(method);
    },
  );
});

describe("header", () => {
  const request = parseHttpEvent(
    apigwEvent({ headers: { "Idempotency-Key": "idem-7" } }),
  );

  it("finds a header by lower-case name", () => {
    expect(header(request, "idempotency-key")).toBe("idem-7");
  });

  it("finds a header by mixed-case name", () => {
    expect(header(request, "IDEMPOTENCY-Key")).toBe("idem-7");
  });

  it("returns undefined for a missing header", () => {
    expect(header(request, "x-api-key")).toBeUndefined();
  });

  it("finds mixed-case names in a hand-built request", () => {
    const handBuilt = { ...request, headers: { "X-Api-Key": "k1" } };
    expect(header(handBuilt, "x-api-key")).toBe("k1");
  });
});

describe("parseHttpEvent rejections", () => {
  it("throws a ValidationError whose message names the field", () => {
    const event = functionUrlEvent({ httpMethod: "FETCH" });
    expect(() => parseHttpEvent(event)).toThrow(ValidationError);
    expect(() => parseHttpEvent(event)).toThrow(/httpMethod must be one of/);
  });

  it.each([
    ["a null event", null],
    ["an array event", []],
    ["a string event", "GET /orders"],
  ])("rejects %s naming event", (_name, event) => {
    expect(rejectedFields(event)).toEqual(["event"]);
  });

  it.each([
    ["missing httpMethod", { httpMethod: undefined }, "httpMethod"],
    ["unknown httpMethod", { httpMethod: "FETCH" }, "httpMethod"],
    ["numeric httpMethod", { httpMethod: 1 }, "httpMethod"],
    ["missing path", { path: undefined }, "path"],
    ["numeric path", { path: 42 }, "path"],
    ["string headers", { headers: "accept: */*" }, "headers"],
    ["numeric header value", { headers: { accept: 1 } }, "headers.accept"],
    ["null header value", { headers: { accept: null } }, "headers.accept"],
    ["numeric query value", { queryString: { a: 1 } }, "queryString.a"],
    ["array queryString", { queryString: ["a"] }, "queryString"],
    [
      "numeric queryStringParameters value",
      { queryStringParameters: { a: 1 } },
      "queryStringParameters.a",
    ],
    [
      "numeric path parameter",
      { pathParameters: { id: 7 } },
      "pathParameters.id",
    ],
    ["string stageVariables", { stageVariables: "x" }, "stageVariables"],
    [
      "numeric headerParameters value",
      { headerParameters: { Refer: 1 } },
      "headerParameters.Refer",
    ],
    ["object body", { body: { customerId: "c-1" } }, "body"],
    ["string isBase64Encoded", { isBase64Encoded: "true" }, "isBase64Encoded"],
    ["string requestContext", { requestContext: "ctx" }, "requestContext"],
    [
      "numeric requestContext.requestId",
      { requestContext: { requestId: 5 } },
      "requestContext.requestId",
    ],
    [
      "string requestContext.identity",
      { requestContext: { identity: "x" } },
      "requestContext.identity",
    ],
  ])("rejects %s", (_name, overrides, field) => {
    expect(rejectedFields(apigwEvent(overrides))).toEqual([field]);
  });

  it("rejects invalid base64 naming body", () => {
    const event = apigwEvent({ isBase64Encoded: true, body: "not base64!" });
    expect(rejectedFields(event)).toEqual(["body"]);
  });

  it("rejects base64 of impossible length naming body", () => {
    const event = apigwEvent({ isBase64Encoded: true, body: "aGVsb" });
    expect(rejectedFields(event)).toEqual(["body"]);
  });

  it("rejects base64 that decodes to non-UTF-8 naming body", () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x81]);
    const event = apigwEvent({ isBase64Encoded: true, body: base64(bytes) });
    expect(rejectedFields(event)).toEqual(["body"]);
  });

  it("reports every invalid field at once", () => {
    const event = apigwEvent({ httpMethod: undefined, path: undefined });
    const fields = rejectedFields(event);
    expect(fields).toContain("httpMethod");
    expect(fields).toContain("path");
  });

  it("says a missing field is required", () => {
    try {
      parseHttpEvent(functionUrlEvent({ path: undefined }));
      throw new Error("parseHttpEvent accepted the event");
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([
        { field: "path", message: "is required" },
      ]);
    }
  });
});
