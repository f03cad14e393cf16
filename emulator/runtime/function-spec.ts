import { existsSync } from "node:fs";
import { join } from "node:path";
import type { FunctionConfig } from "../config/serverless-config";
import { credentialVariables, type LocalServices } from "../local-environment";
import type { FunctionSpec } from "./invocation";

/**
 * Builds the runtime settings of one function: its handler file under
 * `codeRoot`, its serverless.yml environment, SCF's role credentials, and
 * then `overrides` on top.
 */
export function functionSpecOf(
  fn: FunctionConfig,
  codeRoot: string,
  services: LocalServices,
  overrides: Record<string, string> = {},
): FunctionSpec {
  return {
    key: fn.key,
    file: join(codeRoot, `${fn.handlerFile}.js`),
    exportName: fn.handlerExport,
    timeoutSeconds: fn.timeoutSeconds,
    memorySize: fn.memorySize,
    environment: {
      ...fn.environment,
      ...credentialVariables(services),
      ...overrides,
    },
  };
}

/** Throws with the fix when a handler file is missing from the code package. */
export function requireHandlerFile(spec: FunctionSpec, dist: boolean): void {
  if (existsSync(spec.file)) return;
  const hint = dist ? "; run `npm run build` first" : "";
  throw new Error(
    `handler file of function ${spec.key} not found: ${spec.file}${hint}`,
  );
}
