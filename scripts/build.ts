import { rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { bundleFunctions } from "./bundle-functions";

/**
 * `npm run build`: bundles every function into `dist/<function>/index.js`
 * (minified, with source maps), with the database drivers in files next to
 * it, and prints their sizes.
 */
async function main(): Promise<void> {
  const root = resolve(__dirname, "..");
  const outDir = join(root, "dist");
  rmSync(outDir, { recursive: true, force: true });

  const started = Date.now();
  const results = await bundleFunctions(root, outDir, { minify: true });
  for (const result of results) {
    const kb = (result.bytes / 1024).toFixed(1).padStart(7);
    const drivers = Object.entries(result.driverBytes)
      .map(([file, bytes]) => `${file} ${(bytes / 1024).toFixed(1)} KB`)
      .join(", ");
    process.stdout.write(
      `${kb} KB  ${relative(root, result.file)}  (loaded on demand: ${drivers})\n`,
    );
  }
  process.stdout.write(
    `built ${results.length} functions in ${Date.now() - started} ms\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`build failed: ${(error as Error).message}\n`);
  process.exit(1);
});
