import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { errorCatalogue } from "../src/errors";
import { appRouter } from "../src/root";

/**
 * docs/api.md is the API reference product developers read. It drifts silently when a procedure,
 * an appCode or a configuration variable is added in code only: these checks make that a failing
 * test instead. Each name must appear in backticks (`clientAuth.signIn`, `tenant/NotFound`).
 */
const doc = readFileSync(new URL("../../../docs/api.md", import.meta.url), "utf8");
const mentioned = (name: string) => doc.includes(`\`${name}\``);

const procedures = Object.keys(appRouter._def.procedures).sort();
const appCodes = Object.keys(errorCatalogue).sort();
/** The variables config.ts reads: the keys of its envSchema (two-space indented `NAME:` lines). */
const configSource = readFileSync(new URL("../src/config.ts", import.meta.url), "utf8");
const envSchemaBody = /const envSchema = z\.object\(\{\n([\s\S]*?)\n\}\);/.exec(configSource)?.[1] ?? "";
const variables = [...envSchemaBody.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);

describe("docs/api.md", () => {
  it("finds what it checks", () => {
    expect(procedures.length).toBeGreaterThan(20);
    expect(appCodes).toContain("validation/Invalid");
    expect(variables).toContain("ACCESS_TOKEN_TTL_SECONDS");
  });

  it("names every procedure of the router", () => {
    expect(procedures.filter((path) => !mentioned(path))).toEqual([]);
  });

  it("names only procedures that exist", () => {
    const named = [...doc.matchAll(/`((?:clientAuth|clientEmailVerification|backOffice)\.[A-Za-z]+(?:\.[A-Za-z]+)?)`/g)].map((m) => m[1]!);
    expect([...new Set(named)].filter((path) => !procedures.includes(path))).toEqual([]);
  });

  it("names every appCode of the catalogue, with its status", () => {
    expect(appCodes.filter((code) => !mentioned(code))).toEqual([]);
    // The error-code table has one row per appCode: `| <status> | `<appCode>` |`.
    const wrongStatus = appCodes.filter(
      (code) => !doc.includes(`| ${errorCatalogue[code as keyof typeof errorCatalogue].status} | \`${code}\` |`),
    );
    expect(wrongStatus).toEqual([]);
  });

  it("names every environment variable config.ts reads", () => {
    expect(variables.filter((name) => !mentioned(name))).toEqual([]);
  });
});
