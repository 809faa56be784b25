// Builds the publishable package into dist/: ESM JavaScript (esbuild) and one bundled .d.ts per
// entry (rollup-plugin-dts). The router type comes from @gatehouse/api's source and is inlined
// into the declarations, so a consumer needs none of the server packages. @gatehouse/contract
// (private, never published) is bundled: its code into the modules, its types into the
// declarations. The check at the end fails the build if any declaration or module still imports
// something outside `allowed`.
import { build } from "esbuild";
import { createRequire } from "node:module";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { rollup } from "rollup";
import { dts } from "rollup-plugin-dts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
const entries = { index: "src/index.ts", react: "src/react/index.tsx", server: "src/server/index.ts" };
/** What the published files may import: the declared dependencies and peers. */
const allowed = [
  /^@trpc\/(client|server)(\/|$)/,
  /^@trpc\/tanstack-react-query$/,
  /^jose$/,
  /^react(\/jsx-runtime)?$/,
  /^@tanstack\/react-query$/,
];

/** The workspace packages whose code and types are bundled in (resolved to their sources). */
const bundled = /^@gatehouse\/contract(\/|$)/;
const requireHere = createRequire(import.meta.url);

await rm(dist, { recursive: true, force: true });

await build({
  entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, path.join(root, file)])),
  outdir: dist,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  packages: "external",
  jsx: "automatic",
  sourcemap: true,
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "warning",
  plugins: [
    {
      // `packages: "external"` would leave the private contract package as an import.
      name: "bundle-workspace-contract",
      setup(b) {
        b.onResolve({ filter: bundled }, (args) => ({ path: requireHere.resolve(args.path) }));
      },
    },
    {
      // esbuild drops module directives when bundling; Next needs this one on the React entry.
      name: "use-client-directive",
      setup(b) {
        b.onEnd(async (result) => {
          if (result.errors.length > 0) return;
          const file = path.join(dist, "react.js");
          const code = await readFile(file, "utf8");
          if (!code.startsWith('"use client"')) await writeFile(file, `"use client";\n${code}`);
        });
      },
    },
  ],
});

// Declarations: resolve @gatehouse/api to its real source path (not the node_modules symlink),
// so the types it refers to are named from where they live and inlined here.
// Only the API's own files are inlined; everything else (its @gatehouse/db import included) stays
// an import, which tree-shaking drops when no inlined type needs it and the check below catches
// when one does.
const external = (id) => !(id === "@gatehouse/api" || bundled.test(id) || id.startsWith(".") || path.isAbsolute(id));
const bundle = await rollup({
  input: entries,
  external,
  plugins: [
    dts({
      respectExternal: true,
      tsconfig: path.join(root, "tsconfig.json"),
      compilerOptions: {
        baseUrl: root,
        paths: {
          "@gatehouse/api": ["../api/src/index.ts"],
          "@gatehouse/contract": ["../contract/src/index.ts"],
          "@gatehouse/contract/*": ["../contract/src/*"],
        },
        noEmit: false,
        // The API's context carries its runtime (Redis, Prisma, pino, …) as an @internal member.
        stripInternal: true,
      },
    }),
  ],
  onwarn(warning, warn) {
    if (warning.code === "UNRESOLVED_IMPORT") return;
    warn(warning);
  },
});
await bundle.write({ dir: dist, format: "es", entryFileNames: "[name].d.ts", chunkFileNames: "chunks/[name]-[hash].d.ts" });
await bundle.close();

// Every import left in dist must be an allowed package (or a file of dist itself).
const problems = [];
async function check(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      await check(file);
      continue;
    }
    if (!/\.(js|d\.ts)$/.test(entry.name)) continue;
    const code = await readFile(file, "utf8");
    for (const match of code.matchAll(
      /(?:^|[\s;])(?:import|export)\b[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|^import\s+["']([^"']+)["']/gm,
    )) {
      const spec = match[1] ?? match[2] ?? match[3];
      if (spec.startsWith(".")) continue;
      if (!allowed.some((pattern) => pattern.test(spec))) problems.push(`${path.relative(root, file)} imports ${spec}`);
    }
  }
}
await check(dist);
if (problems.length > 0) {
  console.error(`@gatehouse/client build: dist imports packages a consumer would not have:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log("built @gatehouse/client into dist/");
