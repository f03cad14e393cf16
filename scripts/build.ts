import { rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { bundleFunctions } from "./bundle-functions";

/**
 * `npm run build`: bundles every function into `dist/<function>/index.js`
 * (minified, with source maps) and prints each bundle's size.
 */
async function main(): Promise<void> {
  const root = resolve(__dirname, "..");
  const outDir = join(root, "dist");
  rmSync(outDir, { recursive: true, force: true });

  const started = Date.now();
  const results = await bundleFunctions(root, outDir, { minify: true });
  for (const result of results) {
    const kb = (result.bytes / 1024).toFixed(1).padStart(7);
    process.stdout.write(`${kb} KB  ${relative(root, result.file)}\n`);
  }
  process.stdout.write(
    `built ${results.length} functions in ${Date.now() - started} ms\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`build failed: ${(error as Error).message}\n`);
  process.exit(1);
});
