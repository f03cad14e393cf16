import {
  ConflictError,
  MethodNotAllowedError,
  NotFoundError,
  PermanentError,
  TransientError,
  ValidationError,
} from "../../src/errors";
import { errorResponse, jsonResponse } from "../../src/scf/http-response";

describe("jsonResponse", () => {
  it("serializes the body as JSON", () => {
    const response = jsonResponse(201, { orderId: "ord_1" });
    expect(response.statusCode).toBe(201);
    expect(response.body).toBe('{"orderId":"ord_1"}');
    expect(response.isBase64Encoded).toBe(false);
  });

  it("sets a JSON content type", () => {
    const response = jsonResponse(200, {});
    expect(response.headers).toEqual({
      "content-type": "application/json; charset=utf-8",
    });
  });

  it("adds the given headers", () => {
    const response = jsonResponse(200, {}, { "idempotent-replay": "true" });
    expect(response.headers["idempotent-replay"]).toBe("true");
    expect(response.headers["content-type"]).toBe(
      "application/json; charset=utf-8",
    );
  });

  it("lets a content-type in any case replace the default", () => {
    const response = jsonResponse(
      200,
      {},
      {
        "Content-Type": "application/problem+json",
      },
    );
    expect(response.headers).toEqual({
      "Content-Type": "application/problem+json",
    });
  });

  it("sends an empty body for undefined", () => {
    expect(jsonResponse(204, undefined).body).toBe("");
  });

  it("serializes null and strings as JSON", () => {
    expect(jsonResponse(200, null).body).toBe("null");
    expect(jsonResponse(200, "ok").body).toBe('"ok"');
  });
});

describe("errorResponse", () => {
  const issues = [{ field: "items.0.quantity", message: "must be positive" }];

  it("maps a ValidationError to 400 with issues", () => {
    const error = new ValidationError("invalid order", issues);
    const response = errorResponse(error, "req-1");
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      error: "invalid_request",
      message: "invalid order",
      issues,
      requestId: "req-1",
    });
  });

  it("omits empty issues", () => {
    const response = errorResponse(new ValidationError("invalid order"));
    expect(JSON.parse(response.body)).not.toHaveProperty("issues");
  });

  it("omits requestId when not given", () => {
    const response = errorResponse(new NotFoundError("order not found"));
    expect(JSON.parse(response.body)).not.toHaveProperty("requestId");
  });

  it.each([
    ["NotFoundError", new NotFoundError("order ord_1 not found"), 404],
    ["ConflictError", new ConflictError("key reused"), 409],
    ["TransientError", new TransientError("database timed out"), 503],
    ["PermanentError", new PermanentError("card_declined", "declined"), 500],
  ])("maps %s to its status and code", (_name, error, status) => {
    const response = errorResponse(error);
    const body = JSON.parse(response.body);
    expect(response.statusCode).toBe(status);
    expect(body.error).toBe(error.code);
    expect(body.message).toBe(error.message);
  });

  it("hides the message of an unknown error", () => {
    const crash = new TypeError("cannot read properties of undefined");
    const response = errorResponse(crash, "req-2");
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({
      error: "internal_error",
      message: "internal error",
      requestId: "req-2",
    });
  });

  it("never sends the stack of an unknown error", () => {
    const crash = new Error("secret detail");
    const response = errorResponse(crash);
    expect(response.body).not.toContain("secret detail");
    expect(response.body).not.toContain("at ");
  });

  it("maps a thrown string to 500", () => {
    const response = errorResponse("boom");
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body).message).toBe("internal error");
  });

  it("sends a JSON content type", () => {
    const response = errorResponse(new NotFoundError("order not found"));
    expect(response.headers["content-type"]).toBe(
      "application/json; charset=utf-8",
    );
  });
});

describe("errorResponse for a wrong method", () => {
  test("405 carries the Allow header", () => {
    const response = errorResponse(new MethodNotAllowedError("DELETE", "POST"));

    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe("POST");
  });
});
