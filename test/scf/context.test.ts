import { requestIdOf } from "../../src/scf/context";
import { scfContext } from "../helpers/scf-events";

describe("requestIdOf", () => {
  it("returns request_id of a full context", () => {
    expect(requestIdOf(scfContext())).toBe("req-context-1");
  });

  it("accepts a context with only request_id", () => {
    expect(requestIdOf({ request_id: "req-2" })).toBe("req-2");
  });

  it.each([
    ["undefined", undefined],
    ["null", null],
    ["a string", "req-3"],
    ["an array", ["req-4"]],
    ["an empty object", {}],
    ["a numeric request_id", { request_id: 5 }],
    ["an empty request_id", { request_id: "" }],
  ])("returns undefined for %s", (_name, context) => {
    expect(requestIdOf(context)).toBeUndefined();
  });
});
