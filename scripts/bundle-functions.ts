import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

/** Modules never put in a bundle: native addons and optional drivers. */
export const EXTERNAL_MODULES = ["better-sqlite3", "pg-native"];

/**
 * Packages replaced by small shims in every bundle; each shim file explains why
 * its package is never used on SCF's Node.js runtimes.
 */
export const BUNDLE_ALIASES: Record<string, string> = {
  "whatwg-url": join(__dirname, "bundle-shims", "whatwg-url.js"),
  "mime-types": join(__dirname, "bundle-shims", "mime-types.js"),
};

export interface BundleResult {
  functionKey: string;
  file: string;
  bytes: number;
}

/** Lists the function folders under `functions/` that have an index.ts. */
export function functionKeys(root: string): string[] {
  const dir = join(root, "functions");
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, "index.ts")))
    .sort();
}

/**
 * Bundles each function into `<outDir>/<key>/index.js`: CommonJS for SCF's
 * Node.js 18.15 runtime, with a source map, exporting `main_handler`.
 */
export async function bundleFunctions(
  root: string,
  outDir: string,
  options: { minify?: boolean; keys?: string[] } = {},
): Promise<BundleResult[]> {
  const keys = options.keys ?? functionKeys(root);
  const results: BundleResult[] = [];

  await Promise.all(
    keys.map(async (key) => {
      const file = resolve(outDir, key, "index.js");
      await build({
        entryPoints: [join(root, "functions", key, "index.ts")],
        outfile: file,
        bundle: true,
        platform: "node",
        target: "node18",
        format: "cjs",
        sourcemap: true,
        minify: options.minify ?? false,
        external: EXTERNAL_MODULES,
        alias: BUNDLE_ALIASES,
        logLevel: "error",
        legalComments: "none",
      });
      results.push({ functionKey: key, file, bytes: statSync(file).size });
    }),
  );
  return results.sort((a, b) => a.functionKey.localeCompare(b.functionKey));
}
