import type { HttpRoute } from "../config/serverless-config";

export interface CompiledRoute extends HttpRoute {
  pattern: RegExp;
  parameterNames: string[];
}

export type RouteMatch =
  | {
      kind: "found";
      route: CompiledRoute;
      pathParameters: Record<string, string>;
    }
  | { kind: "method_not_allowed"; allowed: string[] }
  | { kind: "not_found" };

/** Compiles `/orders/{id}` into a regular expression with named segments. */
export function compileRoute(route: HttpRoute): CompiledRoute {
  const parameterNames: string[] = [];
  const source = route.path
    .split("/")
    .map((segment) => {
      const parameter = /^\{([A-Za-z0-9_]+)\+?\}$/.exec(segment);
      if (!parameter) return segment.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
      parameterNames.push(parameter[1] as string);
      return segment.endsWith("+}") ? "(.+)" : "([^/]+)";
    })
    .join("/");
  return { ...route, pattern: new RegExp(`^${source}/?$`), parameterNames };
}

/**
 * Percent-decodes a path segment; a malformed escape such as `%ZZ` stays
 * as sent, so the function rejects the value instead of the emulator
 * failing.
 */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Finds the route for a request: a path that matches with another method
 * gives `method_not_allowed` with the methods that would match. `ANY`
 * matches every method, as in API Gateway.
 */
export function matchRoute(
  routes: readonly CompiledRoute[],
  method: string,
  path: string,
): RouteMatch {
  const allowed: string[] = [];
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    if (route.method !== method && route.method !== "ANY") {
      allowed.push(route.method);
      continue;
    }
    const pathParameters: Record<string, string> = {};
    route.parameterNames.forEach((name, index) => {
      pathParameters[name] = decodePathSegment(match[index + 1] as string);
    });
    return { kind: "found", route, pathParameters };
  }
  if (allowed.length > 0) return { kind: "method_not_allowed", allowed };
  return { kind: "not_found" };
}
