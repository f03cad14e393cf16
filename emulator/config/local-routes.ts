import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import type { HttpRoute, ServerlessConfig } from "./serverless-config";

/** File at the project root that maps local paths to Function URL functions. */
export const LOCAL_ROUTES_FILE = "local-routes.yml";

/**
 * Reads the local routes: `METHOD /path` in front of functions that have a
 * Function URL (`http` trigger). In the cloud each such function has a URL
 * of its own; locally these routes serve them on one port under the paths
 * clients use, with the Function URL event. Returns [] when the file is
 * missing.
 */
export function loadLocalRoutes(
  file: string,
  config: ServerlessConfig,
): HttpRoute[] {
  if (!existsSync(file)) return [];

  const document = parse(readFileSync(file, "utf8")) as unknown;
  const entries = (document as { routes?: unknown } | null)?.routes;
  if (!Array.isArray(entries))
    throw new Error(`${file}: expected a "routes" list`);

  const withUrl = new Set(
    config.functionUrls.map((trigger) => trigger.functionKey),
  );
  return entries.map((entry, index) => {
    const route = entry as Record<string, unknown>;
    const where = `${file}: routes[${index}]`;
    if (
      typeof route.method !== "string" ||
      typeof route.path !== "string" ||
      typeof route.function !== "string"
    ) {
      throw new Error(`${where} needs method, path and function`);
    }
    if (!withUrl.has(route.function)) {
      throw new Error(
        `${where} names function "${route.function}", which has no http (Function URL) trigger in serverless.yml`,
      );
    }
    return {
      method: route.method.toUpperCase(),
      path: route.path,
      functionKey: route.function,
      serviceName: "local",
      shape: "function-url" as const,
    };
  });
}
