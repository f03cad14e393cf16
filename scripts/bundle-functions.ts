import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { build, type BuildOptions, type Plugin } from "esbuild";

/**
 * Modules never put in a bundle, loaded from node_modules at run time:
 * better-sqlite3's native addon and pg's optional native driver.
 */
export const EXTERNAL_MODULES = ["better-sqlite3/build/*", "pg-native"];

const SHIMS = join(__dirname, "bundle-shims");

/**
 * Packages replaced by small shims in every bundle. Each shim file explains
 * which code path needed the package and why the functions never take it.
 * A shim throws if that path runs after all.
 */
export const BUNDLE_ALIASES: Record<string, string> = {
  // Dependencies of tencentcloud-sdk-nodejs.
  "whatwg-url": join(SHIMS, "whatwg-url.js"),
  "https-proxy-agent": join(SHIMS, "https-proxy-agent.js"),
  "form-data": join(SHIMS, "form-data.js"),
  "bignumber.js": join(SHIMS, "bignumber.js"),
  uuid: join(SHIMS, "uuid.js"),
  encoding: join(SHIMS, "encoding.js"),
  // Dependency of pino.
  "sonic-boom": join(SHIMS, "sonic-boom.js"),
  // Dependency of better-sqlite3.
  bindings: join(SHIMS, "bindings.js"),
};

/**
 * Files inside packages replaced by shims: `specifier` matches the import
 * as written in a file under `node_modules/<importer>`.
 */
const FILE_SHIMS = [
  {
    importer: "tencentcloud-sdk-nodejs/tencentcloud/common/",
    specifier: /^\.\/sse_response_model$/,
    shim: join(SHIMS, "sse-response-model.js"),
  },
  {
    importer: "node-fetch/lib/",
    specifier: /^https$/,
    shim: join(SHIMS, "lazy-https.js"),
  },
  {
    importer: "node-fetch/lib/",
    specifier: /^zlib$/,
    shim: join(SHIMS, "lazy-zlib.js"),
  },
  {
    importer: "pino/",
    specifier: /^\.\/(lib\/)?transport$/,
    shim: join(SHIMS, "pino-transport.js"),
  },
  {
    importer: "pino/lib/tools.js",
    specifier: /^worker_threads$/,
    shim: join(SHIMS, "pino-worker-threads.js"),
  },
];

/**
 * Database drivers, each bundled into a file of its own next to a
 * function's index.js, by package name. index.js requires a driver's file
 * only when it opens a store of that kind, so a cold start parses and
 * evaluates only the driver that DATABASE_URL selects.
 */
export const DRIVER_CHUNKS: Record<string, string> = {
  pg: "pg.js",
  "better-sqlite3": "better-sqlite3.js",
};

export interface BundleResult {
  functionKey: string;
  file: string;
  /** Size of index.js, the file SCF loads at cold start. */
  bytes: number;
  /** Size of each driver file next to it, by file name. */
  driverBytes: Record<string, number>;
}

/** Lists the function folders under `functions/` that have an index.ts. */
export function functionKeys(root: string): string[] {
  const dir = join(root, "functions");
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, "index.ts")))
    .sort();
}

/** Resolves FILE_SHIMS, and each DRIVER_CHUNKS package to its own file. */
const bundleLayout: Plugin = {
  name: "bundle-layout",
  setup(builder) {
    for (const [name, chunk] of Object.entries(DRIVER_CHUNKS)) {
      const filter = new RegExp(`^${name.replace(/[.]/g, "\\.")}$`);
      builder.onResolve({ filter }, () => ({
        path: `./${chunk}`,
        external: true,
      }));
    }
    for (const entry of FILE_SHIMS) {
      builder.onResolve({ filter: entry.specifier }, (args) =>
        args.importer
          .split("\\")
          .join("/")
          .includes(`/node_modules/${entry.importer}`)
          ? { path: entry.shim }
          : undefined,
      );
    }
  },
};

/** esbuild options shared by every bundle: CommonJS for Node.js 18.15. */
function commonOptions(minify: boolean): BuildOptions {
  return {
    bundle: true,
    platform: "node",
    target: "node18",
    format: "cjs",
    sourcemap: true,
    minify,
    external: EXTERNAL_MODULES,
    alias: BUNDLE_ALIASES,
    logLevel: "error",
    legalComments: "none",
  };
}

/**
 * Returns the esbuild options that bundle `functions/<key>/index.ts` into
 * `outfile`. The resolvers of `options.plugins` run before those of the
 * bundle layout.
 */
export function functionBuildOptions(
  root: string,
  key: string,
  outfile: string,
  options: { minify?: boolean; plugins?: Plugin[] } = {},
): BuildOptions {
  return {
    ...commonOptions(options.minify ?? false),
    entryPoints: [join(root, "functions", key, "index.ts")],
    outfile,
    plugins: [...(options.plugins ?? []), bundleLayout],
  };
}

/** Bundles each DRIVER_CHUNKS package alone into its file in `dir`. */
export async function bundleDrivers(
  root: string,
  dir: string,
  minify: boolean,
): Promise<Record<string, number>> {
  const chunks = Object.entries(DRIVER_CHUNKS);
  await Promise.all(
    chunks.map(([name, chunk]) =>
      build({
        ...commonOptions(minify),
        stdin: {
          contents: `module.exports = require(${JSON.stringify(name)});`,
          resolveDir: root,
          sourcefile: `${chunk}-entry.js`,
          loader: "js",
        },
        outfile: join(dir, chunk),
      }),
    ),
  );
  return Object.fromEntries(
    chunks.map(([, chunk]) => [chunk, statSync(join(dir, chunk)).size]),
  );
}

/**
 * Bundles each function into `<outDir>/<key>/index.js`: CommonJS for SCF's
 * Node.js 18.15 runtime, with a source map, exporting `main_handler`. The
 * database drivers go into files of their own next to it (DRIVER_CHUNKS).
 */
export async function bundleFunctions(
  root: string,
  outDir: string,
  options: { minify?: boolean; keys?: string[] } = {},
): Promise<BundleResult[]> {
  const keys = options.keys ?? functionKeys(root);
  const minify = options.minify ?? false;

  const results = await Promise.all(
    keys.map(async (key) => {
      const file = resolve(outDir, key, "index.js");
      const [, driverBytes] = await Promise.all([
        build(functionBuildOptions(root, key, file, { minify })),
        bundleDrivers(root, dirname(file), minify),
      ]);
      return {
        functionKey: key,
        file,
        bytes: statSync(file).size,
        driverBytes,
      };
    }),
  );
  return results.sort((a, b) => a.functionKey.localeCompare(b.functionKey));
}
