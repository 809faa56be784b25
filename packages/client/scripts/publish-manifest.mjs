// Turns the built dist/ into the package that `pnpm pack` and `pnpm publish` put in the tarball
// (package.json's publishConfig.directory is dist): a clean manifest and the README beside the
// built files. The entries sit at the package root, so a consumer on moduleResolution "node"
// (node10, which ignores `exports`) still finds `@gatehouse/client/react` as react.d.ts; node16,
// nodenext and bundler read `exports`. The manifest has no scripts and no devDependencies (they
// name private workspace packages), and every `catalog:` is replaced by the workspace's range.
// Run by `prepack`, after the build.
import { copyFile, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
const entries = { ".": "index", "./react": "react", "./server": "server" };
/** Copied from the workspace manifest as they are (dependency maps get their catalog resolved). */
const carried = [
  "name",
  "version",
  "description",
  "keywords",
  "license",
  "author",
  "repository",
  "homepage",
  "bugs",
  "type",
  "sideEffects",
  "engines",
];

// npm ignores publishConfig.directory: it would pack this directory with the workspace manifest.
if (/^npm\//.test(process.env.npm_config_user_agent ?? "")) {
  fail("pack and publish with pnpm (`pnpm pack`, `pnpm publish`), which pack dist/ (publishConfig.directory)");
}

const source = JSON.parse(await readFile(path.join(root, "package.json"), "utf8"));
const catalog = await readCatalog(path.join(root, "..", "..", "pnpm-workspace.yaml"));

const manifest = {};
for (const key of carried) if (source[key] !== undefined) manifest[key] = source[key];
manifest.main = "./index.js";
manifest.types = "./index.d.ts";
manifest.exports = {
  ...Object.fromEntries(
    Object.entries(entries).map(([subpath, name]) => [
      subpath,
      { types: `./${name}.d.ts`, import: `./${name}.js`, default: `./${name}.js` },
    ]),
  ),
  "./package.json": "./package.json",
};
for (const field of ["dependencies", "peerDependencies"]) {
  if (source[field]) manifest[field] = resolveSpecifiers(source[field], field);
}
if (source.peerDependenciesMeta) manifest.peerDependenciesMeta = source.peerDependenciesMeta;
manifest.publishConfig = { access: source.publishConfig?.access ?? "public" };

for (const name of Object.values(entries)) {
  for (const file of [`${name}.js`, `${name}.d.ts`]) {
    await stat(path.join(dist, file)).catch(() => fail(`dist/${file} is missing: run the build first`));
  }
}
await writeFile(path.join(dist, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
await copyFile(path.join(root, "README.md"), path.join(dist, "README.md"));
console.log("wrote dist/package.json and dist/README.md");

function resolveSpecifiers(deps, field) {
  return Object.fromEntries(
    Object.entries(deps).map(([name, spec]) => {
      if (spec === "catalog:" || spec === "catalog:default") {
        if (!catalog.has(name)) fail(`${field}.${name} is "catalog:" but pnpm-workspace.yaml's catalog has no ${name}`);
        return [name, catalog.get(name)];
      }
      // A workspace package is private and unpublished: a consumer could never install it.
      if (/^(workspace|catalog|link|file):/.test(spec)) fail(`${field}.${name} is "${spec}", which cannot be published`);
      return [name, spec];
    }),
  );
}

/** The default catalog of pnpm-workspace.yaml: the `catalog:` block, one `name: range` a line. */
async function readCatalog(file) {
  const lines = (await readFile(file, "utf8")).split("\n");
  const start = lines.findIndex((line) => /^catalog:\s*$/.test(line));
  const ranges = new Map();
  if (start === -1) return ranges;
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const match = /^\s+(["']?)([^"'\s]+?)\1\s*:\s*(["']?)(.+?)\3\s*(?:#.*)?$/.exec(line);
    if (match) ranges.set(match[2], match[4]);
  }
  return ranges;
}

function fail(message) {
  console.error(`@gatehouse/client publish manifest: ${message}`);
  process.exit(1);
}
