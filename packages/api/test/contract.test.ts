import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { appCodes, contractProcedures, isAppCode, REST_PREFIX, restRoutes, transportAppCodes, type AppCode } from "@gatehouse/contract";
import { appRouter } from "../src/root";

/**
 * The router and @gatehouse/contract describe the same API: every procedure has its entry and
 * takes exactly the entry's schemas (so output validation runs on every call), and every appCode
 * an entry declares is a catalogue code that docs/api.md says that procedure can answer (or one
 * any such procedure can: its gates, a bad input, an outage, a fault). The fuzz suites check the
 * other direction: every appCode a procedure really answers is one it declares.
 */
interface ProcedureDef {
  type: "query" | "mutation" | "subscription";
  inputs: unknown[];
  output?: unknown;
  meta?: { allowUnverifiedEmail?: boolean; allowPasswordChangeRequired?: boolean; ipLimit?: string };
}
const procedures = appRouter._def.procedures as unknown as Record<string, { _def: ProcedureDef }>;
const routerPaths = Object.keys(procedures).sort();
const contractPaths = [...contractProcedures.keys()].sort();
const entry = (path: string) => contractProcedures.get(path)!;

const doc = readFileSync(new URL("../../../docs/api.md", import.meta.url), "utf8");
const docLines = doc.split("\n");
/** The procedure's rows in docs/api.md's tables (`| \`path\` | kind | who | ...`). */
const rowsOf = (path: string) => docLines.filter((line) => line.startsWith(`| \`${path}\` |`));
/** The procedure's own section (`### path`), up to the next heading. */
const sectionOf = (path: string) => new RegExp(`^### ${path.replaceAll(".", "\\.")}\\n([\\s\\S]*?)(?=^#)`, "m").exec(doc)?.[1] ?? "";
/** The appCodes docs/api.md names for the procedure, in its table rows and its section. */
function documentedCodes(path: string): Set<AppCode> {
  const text = [...rowsOf(path), sectionOf(path)].join("\n");
  return new Set([...text.matchAll(/`([a-zA-Z]+\/[a-zA-Z]+)`/g)].map((m) => m[1]!).filter(isAppCode));
}
/** The procedure table's columns: kind and who (`P`, `A U C`, `S`, `admin`). */
function documentedMarks(path: string): { kind: string; who: string[] } | undefined {
  const row = rowsOf(path).find((line) => /^\| `[^`]+` \| (query|mutation) \|/.test(line));
  if (!row) return undefined;
  const [, , kind, who] = row.split("|").map((cell) => cell.trim());
  return { kind: kind!, who: who!.split(/\s+/) };
}
/** Procedures with a per-IP limit (docs/api.md "Per-IP limits": `| \`path\` | <n> |`). */
const ipLimited = new Set([...doc.matchAll(/^\| `([\w.]+)` \| \d+ \|$/gm)].map((m) => m[1]!));

/** Codes any procedure may answer without its docs naming them: a bad input, an outage, a fault. */
const anyProcedure: AppCode[] = ["validation/Invalid", "service/Unavailable", "server/InternalError"];
const userGateCodes: AppCode[] = ["auth/Unauthenticated", "auth/AccountSuspended", "auth/PasswordChangeRequired", "auth/EmailNotVerified"];
const staffGateCodes: AppCode[] = ["auth/Unauthenticated", "auth/Forbidden"];

/** The gate codes a procedure's marks imply (CONTRACT.md "Gates"; backOffice: session, role, origin). */
function expectedGateCodes(who: string[]): AppCode[] {
  if (who.includes("A")) {
    return userGateCodes.filter(
      (code) => !(code === "auth/PasswordChangeRequired" && who.includes("C")) && !(code === "auth/EmailNotVerified" && who.includes("U")),
    );
  }
  if (who.includes("S") || who.includes("admin")) return staffGateCodes;
  return [];
}

describe("the router and @gatehouse/contract", () => {
  it("finds what it checks", () => {
    expect(routerPaths.length).toBeGreaterThan(20);
    expect(ipLimited).toContain("clientAuth.signIn");
    expect(documentedCodes("clientAuth.signUp")).toContain("user/UserIdDuplicated");
    expect(documentedCodes("backOffice.staff.update")).toContain("staff/NotFound");
    expect(documentedMarks("clientAuth.signOut")).toEqual({ kind: "mutation", who: ["A", "U", "C"] });
  });

  it("has one entry per procedure, and no entry without a procedure", () => {
    expect(routerPaths.filter((path) => !contractProcedures.has(path))).toEqual([]);
    expect(contractPaths.filter((path) => !(path in procedures))).toEqual([]);
  });

  it("gives each procedure exactly its entry's kind, input and output schemas", () => {
    for (const path of routerPaths) {
      const def = procedures[path]!._def;
      const { kind, input, output } = entry(path);
      expect(def.type, path).toBe(kind);
      const expected = input === null ? [] : [input];
      expect(
        def.inputs.length === expected.length && def.inputs.every((schema, i) => schema === expected[i]),
        `${path}: the entry's input schema, not a copy`,
      ).toBe(true);
      expect(def.output === output, `${path}: the entry's output schema`).toBe(true);
    }
  });

  it("marks each router procedure as docs/api.md does (U, C, the per-IP limit), so its declared gate codes hold", () => {
    for (const path of routerPaths) {
      const meta = procedures[path]!._def.meta ?? {};
      const who = documentedMarks(path)?.who ?? [];
      expect({ U: meta.allowUnverifiedEmail === true, C: meta.allowPasswordChangeRequired === true }, `${path}: its .meta() marks`).toEqual(
        {
          U: who.includes("U"),
          C: who.includes("C"),
        },
      );
      expect(meta.ipLimit !== undefined, `${path}: .meta({ ipLimit }) as docs/api.md's per-IP limits`).toBe(ipLimited.has(path));
    }
  });

  it("declares only catalogue appCodes, none twice and none of the transport's", () => {
    for (const [path, { errors }] of contractProcedures) {
      expect(
        errors.filter((code) => !isAppCode(code)),
        path,
      ).toEqual([]);
      expect(new Set(errors).size, `${path} lists a code twice`).toBe(errors.length);
      expect(
        errors.filter((code) => (transportAppCodes as readonly string[]).includes(code)),
        path,
      ).toEqual([]);
      for (const code of anyProcedure) expect(errors, path).toContain(code);
    }
  });

  it("leaves no catalogue appCode unanswered by every procedure and the transport", () => {
    // The browser's plain routes (http/social.ts) answer one code no procedure does: a provider
    // callback whose state is unknown, used or expired has no app to redirect to.
    const plainRoutes = ["social/InvalidState"];
    const answered = new Set<string>([...transportAppCodes, ...plainRoutes, ...[...contractProcedures.values()].flatMap((p) => p.errors)]);
    expect(appCodes.filter((code) => !answered.has(code))).toEqual([]);
  });

  it("matches docs/api.md: kind, the gates the marks imply, the per-IP limit, and every code named there", () => {
    for (const [path, { kind, errors }] of contractProcedures) {
      const marks = documentedMarks(path);
      expect(marks, `${path} has a row in docs/api.md's tables`).toBeDefined();
      expect(kind, path).toBe(marks!.kind);
      const gates = expectedGateCodes(marks!.who);
      // A public procedure may answer auth/AccountSuspended as its own rule (signIn, refresh): then its docs name it.
      const gateLike = [...new Set([...userGateCodes, ...staffGateCodes])].filter(
        (code) => gates.length > 0 || code !== "auth/AccountSuspended",
      );
      expect(errors.filter((code) => gateLike.includes(code)).sort(), `${path}: the gates of ${marks!.who.join(" ")}`).toEqual(
        [...gates].sort(),
      );
      if (ipLimited.has(path)) expect(errors, `${path} has a per-IP limit`).toContain("rateLimit/TooManyRequests");

      const documented = documentedCodes(path);
      const undeclared = [...documented].filter(
        (code) => !errors.includes(code) && !(transportAppCodes as readonly string[]).includes(code),
      );
      expect(undeclared, `${path}: named in docs/api.md but not declared`).toEqual([]);
      const ownCodes = errors.filter((code) => !anyProcedure.includes(code) && !gates.includes(code));
      expect(
        ownCodes.filter((code) => !documented.has(code)),
        `${path}: declared but docs/api.md does not say when`,
      ).toEqual([]);
    }
  });
});

describe('the REST route table (CONTRACT.md "REST and OpenAPI")', () => {
  /** docs/api.md's REST table: `| \`METHOD /api/v1/...\` | <status> | \`procedure\` |`. */
  const documentedRoutes = [...doc.matchAll(/^\| `(GET|POST|PATCH|DELETE) (\/api\/v1\/[^`]+)` \| (\d{3}) \| `([\w.]+)` \|$/gm)].map(
    ([, method, path, status, procedure]) => ({ method, path, status: Number(status), procedure }),
  );

  it("finds what it checks", () => {
    expect(documentedRoutes.length).toBeGreaterThan(20);
  });

  it("gives every client* procedure of the router exactly one route, and every route of the router's procedures the method of its kind", () => {
    const clientPaths = routerPaths.filter((path) => path.startsWith("client"));
    expect(clientPaths.filter((path) => restRoutes.filter((route) => route.procedure === path).length !== 1)).toEqual([]);
    for (const route of restRoutes.filter((r) => r.procedure in procedures)) {
      expect(`${route.method} ${route.path}: ${entry(route.procedure).kind}`).toBe(
        `${route.method} ${route.path}: ${route.method === "GET" ? "query" : "mutation"}`,
      );
    }
  });

  it("names each method and path once, under /api/v1, and no backOffice procedure", () => {
    const keys = restRoutes.map((route) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(restRoutes.filter((route) => !route.path.startsWith(`${REST_PREFIX}/`) || !route.procedure.startsWith("client"))).toEqual([]);
  });

  it("is the table docs/api.md shows, row for row", () => {
    expect(documentedRoutes).toEqual(restRoutes.map(({ method, path, status, procedure }) => ({ method, path, status, procedure })));
  });
});
