import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The tenant choice is a compile-time requirement too: snippets a product app might write are
 * type-checked against the server helpers' sources, under strict with and without
 * exactOptionalPropertyTypes. Each refused snippet differs from an accepted one only in its
 * tenant choice, so its error can only be that.
 */
const testDir = path.dirname(fileURLToPath(import.meta.url));

const prelude = `
import { createAccessTokenVerifier, gatehouseMiddleware, verifyAccessToken, withGatehouseAuth } from "../src/server";
declare const token: string;
declare const env: Record<string, string | undefined>;
const base = { jwksUrl: "https://auth.example.com/.well-known/jwks.json", issuer: "https://auth.example.com", audience: "gatehouse" };
const handler = (_req: Request) => new Response("ok");
export {};
`;

/** Every helper with the given tenant choice (an object-literal fragment). */
const uses = (choice: string) => `
void verifyAccessToken(token, { ...base, ${choice} });
void createAccessTokenVerifier({ ...base, ${choice} });
void withGatehouseAuth(handler, { ...base, ${choice} });
void gatehouseMiddleware({ protect: ["/account"], ...base, ${choice} });
`;

const accepted = {
  tenantKey: `tenantKey: "acme"`,
  envWithFallbackCheck: `tenantKey: env.TENANT_KEY ?? "acme"`,
  anyTenant: `anyTenant: true`,
};
const refused = {
  nothing: ``,
  unsetVariable: `tenantKey: env.TENANT_KEY`,
  explicitUndefined: `tenantKey: undefined`,
  anyTenantFalse: `anyTenant: false`,
  both: `tenantKey: "acme", anyTenant: true`,
};

function diagnostics(files: Record<string, string>, exactOptionalPropertyTypes: boolean): Record<string, string[]> {
  const options: ts.CompilerOptions = {
    strict: true,
    exactOptionalPropertyTypes,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
    types: [],
  };
  const virtual = new Map(Object.entries(files).map(([name, text]) => [path.join(testDir, `${name}.virtual.ts`), text]));
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (file) => virtual.has(file) || fileExists.call(host, file);
  host.readFile = (file) => virtual.get(file) ?? readFile.call(host, file);
  host.getSourceFile = (file, language, ...rest) => {
    const text = virtual.get(file);
    return text === undefined ? getSourceFile.call(host, file, language, ...rest) : ts.createSourceFile(file, text, language);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  const byFile: Record<string, string[]> = {};
  for (const [file] of virtual) {
    const source = program.getSourceFile(file)!;
    byFile[path.basename(file, ".virtual.ts")] = ts
      .getPreEmitDiagnostics(program, source)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  }
  return byFile;
}

describe("the tenant choice in the options' type", () => {
  const files = Object.fromEntries(
    [...Object.entries(accepted), ...Object.entries(refused)].map(([name, choice]) => [name, prelude + uses(choice)]),
  );
  it.each([true, false])(
    "is required (exactOptionalPropertyTypes: %s)",
    (exact) => {
      const found = diagnostics(files, exact);
      for (const name of Object.keys(accepted)) expect(found[name], name).toEqual([]);
      // One error for each of the four helpers: the choice is refused everywhere.
      for (const name of Object.keys(refused)) {
        expect(found[name], name).toHaveLength(4);
        for (const message of found[name]!) expect(message, name).toMatch(/'(tenantKey|anyTenant)'/);
      }
    },
    60_000,
  );
});
