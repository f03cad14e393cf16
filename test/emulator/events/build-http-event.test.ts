import {
  buildApigwEvent,
  buildFunctionUrlEvent,
  type IncomingHttp,
} from "../../../emulator/events/build-http-event";
import { ValidationError } from "../../../src/errors";
import { parseHttpEvent } from "../../../src/scf/http-event";
import { SAMPLE_ORDER } from "../../helpers/scf-events";

function incoming(overrides: Partial<IncomingHttp> = {}): IncomingHttp {
  return {
    method: "post",
    path: "/orders",
    rawQuery: "",
    headers: {
      "content-type": "application/json",
      "idempotency-key": "idem-1",
    },
    body: Buffer.from(JSON.stringify(SAMPLE_ORDER)),
    sourceIp: "127.0.0.1",
    ...overrides,
  };
}

const route = {
  path: "/orders/{id}",
  pathParameters: { id: "ord_1" },
  serviceId: "service-local",
  stage: "release",
};

const binaryBody = Buffer.from([0xff, 0xd8, 0xff, 0x00]);

describe("buildApigwEvent", () => {
  it("builds the documented fields", () => {
    const event = buildApigwEvent(incoming(), route, "req-1");
    expect(Object.keys(event).sort()).toEqual([
      "body",
      "headerParameters",
      "headers",
      "httpMethod",
      "isBase64Encoded",
      "path",
      "pathParameters",
      "queryString",
      "queryStringParameters",
      "requestContext",
      "stageVariables",
    ]);
  });

  it("fills requestContext", () => {
    const event = buildApigwEvent(incoming(), route, "req-1");
    expect(event).toHaveProperty("requestContext", {
      serviceId: "service-local",
      path: "/orders/{id}",
      httpMethod: "POST",
      requestId: "req-1",
      identity: {},
      sourceIp: "127.0.0.1",
      stage: "release",
    });
  });

  it("round-trips through parseHttpEvent", () => {
    const request = parseHttpEvent(
      buildApigwEvent(incoming({ rawQuery: "a=1" }), route, "req-1"),
    );
    expect(request.shape).toBe("apigw");
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/orders");
    expect(request.body).toBe(JSON.stringify(SAMPLE_ORDER));
    expect(request.headers["idempotency-key"]).toBe("idem-1");
    expect(request.query).toEqual({ a: "1" });
    expect(request.pathParameters).toEqual({ id: "ord_1" });
    expect(request.requestId).toBe("req-1");
    expect(request.sourceIp).toBe("127.0.0.1");
  });

  it("keeps header name case", () => {
    const req = incoming({ headers: { "Idempotency-Key": "idem-2" } });
    const event = buildApigwEvent(req, route, "req-1");
    expect(event).toHaveProperty("headers", { "Idempotency-Key": "idem-2" });
  });

  it("joins repeated header values", () => {
    const req = incoming({ headers: { accept: ["text/plain", "*/*"] } });
    const event = buildApigwEvent(req, route, "req-1");
    expect(event).toHaveProperty("headers", { accept: "text/plain, */*" });
  });

  it("drops undefined header values", () => {
    const req = incoming({ headers: { accept: undefined, host: "local" } });
    const event = buildApigwEvent(req, route, "req-1");
    expect(event).toHaveProperty("headers", { host: "local" });
  });

  it("sends repeated query keys as arrays", () => {
    const req = incoming({ rawQuery: "sku=A&sku=B&sku=C&page=2" });
    const request = parseHttpEvent(buildApigwEvent(req, route, "req-1"));
    expect(request.query).toEqual({ sku: ["A", "B", "C"], page: "2" });
  });

  it("decodes percent-encoded query values", () => {
    const req = incoming({ rawQuery: "?q=a%20b&name=%E6%B7%B1" });
    const event = buildApigwEvent(req, route, "req-1");
    expect(event).toHaveProperty("queryString", { q: "a b", name: "深" });
  });

  it("sends an empty body as an empty string", () => {
    const req = incoming({ method: "GET", body: Buffer.alloc(0) });
    const event = buildApigwEvent(req, route, "req-1");
    expect(event).toHaveProperty("body", "");
    expect(event).toHaveProperty("isBase64Encoded", false);
  });

  it("sends non-ASCII UTF-8 text as plain text", () => {
    const req = incoming({ body: Buffer.from('{"city":"深圳"}') });
    const request = parseHttpEvent(buildApigwEvent(req, route, "req-1"));
    expect(request.body).toBe('{"city":"深圳"}');
  });

  it("sends a binary body as base64", () => {
    const req = incoming({ body: binaryBody });
    const event = buildApigwEvent(req, route, "req-1");
    expect(event).toHaveProperty("isBase64Encoded", true);
    expect(event).toHaveProperty("body", binaryBody.toString("base64"));
  });

  it("sends a binary body that the parser rejects naming body", () => {
    const req = incoming({ body: binaryBody });
    const event = buildApigwEvent(req, route, "req-1");
    expect(() => parseHttpEvent(event)).toThrow(ValidationError);
    expect(() => parseHttpEvent(event)).toThrow(/^invalid HTTP event: body /);
  });

  it("sets stageVariables from the stage", () => {
    const event = buildApigwEvent(incoming(), route, "req-1");
    expect(event).toHaveProperty("stageVariables", { stage: "release" });
  });
});

describe("buildFunctionUrlEvent", () => {
  it("builds only the documented fields for a text body", () => {
    const event = buildFunctionUrlEvent(incoming(), "req-1");
    expect(Object.keys(event).sort()).toEqual([
      "body",
      "headers",
      "httpMethod",
      "path",
      "queryString",
    ]);
  });

  it("round-trips through parseHttpEvent", () => {
    const req = incoming({ rawQuery: "sku=A&sku=B" });
    const request = parseHttpEvent(buildFunctionUrlEvent(req, "req-1"));
    expect(request.shape).toBe("function-url");
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/orders");
    expect(request.body).toBe(JSON.stringify(SAMPLE_ORDER));
    expect(request.query).toEqual({ sku: ["A", "B"] });
    expect(request.headers["idempotency-key"]).toBe("idem-1");
    expect(request.sourceIp).toBe("127.0.0.1");
  });

  it("lower-cases header names", () => {
    const req = incoming({ headers: { "Content-Type": "text/plain" } });
    const event = buildFunctionUrlEvent(req, "req-1");
    expect(event).toHaveProperty("headers", {
      "content-type": "text/plain",
      "x-scf-remote-addr": "127.0.0.1",
    });
  });

  it("replaces a client-sent x-scf-remote-addr", () => {
    const req = incoming({ headers: { "X-Scf-Remote-Addr": "6.6.6.6" } });
    const request = parseHttpEvent(buildFunctionUrlEvent(req, "req-1"));
    expect(request.sourceIp).toBe("127.0.0.1");
  });

  it("adds no request-id header", () => {
    const request = parseHttpEvent(buildFunctionUrlEvent(incoming(), "req-1"));
    expect(request.requestId).toBeUndefined();
  });

  it("sends a binary body as base64 with isBase64Encoded", () => {
    const req = incoming({ body: binaryBody });
    const event = buildFunctionUrlEvent(req, "req-1");
    expect(event).toHaveProperty("isBase64Encoded", true);
    expect(event).toHaveProperty("body", binaryBody.toString("base64"));
  });

  it("round-trips a GET without body", () => {
    const req = incoming({
      method: "GET",
      path: "/orders/ord_1",
      body: Buffer.alloc(0),
    });
    const request = parseHttpEvent(buildFunctionUrlEvent(req, "req-1"));
    expect(request.method).toBe("GET");
    expect(request.path).toBe("/orders/ord_1");
    expect(request.body).toBe("");
  });
});
