// Bundles the front server (server/main.ts and the workspace packages it imports) into
// dist/server.mjs, and the API's password-hashing worker into dist/hash-worker.mjs beside it (the
// pool starts `new URL("./hash-worker.mjs", import.meta.url)`, which in the bundle is dist/). npm packages stay external, referenced by their path relative to dist/, so
// the bundle finds them in pnpm's strict node_modules wherever the importing package declared them.
import { build } from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.join(appDir, "dist");

// Dev-only: `pnpm dev` (tsx, not this bundle) loads the provider stand-ins by dynamic import;
// left as a bare import here, never resolved, so the production bundle holds no stand-in code.
const DEV_ONLY = new Set(["@gatehouse/provider-stand-ins"]);

const externalByPath = {
  name: "external-by-path",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (DEV_ONLY.has(args.path)) return { path: args.path, external: true };
      if (args.pluginData?.skip || args.path.startsWith("@gatehouse/") || args.path.startsWith("node:")) return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { skip: true },
      });
      if (resolved.errors.length > 0 || !resolved.path) return undefined;
      if (!resolved.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      let relative = path.relative(outdir, resolved.path).split(path.sep).join("/");
      if (!relative.startsWith(".")) relative = `./${relative}`;
      return { path: relative, external: true };
    });
  },
};

await build({
  entryPoints: {
    server: path.join(appDir, "server/main.ts"),
    "hash-worker": path.join(appDir, "../../packages/api/src/lib/hash-worker.mjs"),
  },
  outdir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  jsx: "automatic",
  logLevel: "warning",
  plugins: [externalByPath],
  banner: { js: "import { createRequire as __gh_cr } from 'node:module'; const require = __gh_cr(import.meta.url);" },
});
console.log("built dist/server.mjs and dist/hash-worker.mjs");
