import { Agent, request, type IncomingHttpHeaders } from "node:http";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import fc from "fast-check";
import { contractProcedures, pathParameters, restRoutes, transportAppCodes, type RestRoute } from "@gatehouse/contract";
import { getPrisma } from "@gatehouse/db";
import { errorCatalogue } from "../src/errors";
import { startServer, type TestServer } from "./kit";

/**
 * The fuzzing harness shared by the fuzz-*.test.ts suites: adversarial JSON generators, a raw
 * keep-alive HTTP client (so bodies can be anything, invalid UTF-8 included), and the checks
 * every answer must pass: never a 5xx, always the contract's envelope and a catalogue appCode,
 * never a stack trace, SQL, a hash or a token the caller was not meant to receive.
 */

/**
 * How a run picks its cases. `pnpm test` under CI=true: a fixed seed, so a red CI is a real
 * regression that reruns identically, never the luck of the draw. `pnpm test:fuzz` (FUZZ_ROAM=1):
 * a fresh seed and more cases, to find what the fixed seed does not reach. Anywhere else: a fresh
 * seed and few cases. FUZZ_SEED and FUZZ_RUNS override either; the seed is printed on every run.
 */
/** The seed CI uses (any fixed integer; changing it is a deliberate act, like changing a test). */
export const CI_FUZZ_SEED = 20261202;

export function resolveFuzzSeed(
  env: Record<string, string | undefined>,
  random: () => number = () => randomBytes(4).readInt32LE(0),
): number {
  const given = env.FUZZ_SEED?.trim();
  if (given) {
    const seed = Number(given);
    if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, not ${given}`);
    return seed | 0;
  }
  return env.CI === "true" && env.FUZZ_ROAM !== "1" ? CI_FUZZ_SEED : random();
}

/**
 * Cases per procedure: FUZZ_RUNS; by default 2,000 under CI (the floor the issue sets), 5,000
 * when roaming, and 300 on a developer's machine, where the whole suite would otherwise take minutes.
 */
export function resolveFuzzRuns(env: Record<string, string | undefined>): number {
  const fallback = env.FUZZ_ROAM === "1" ? 5000 : env.CI === "true" ? 2000 : 300;
  return Math.max(1, Number(env.FUZZ_RUNS || fallback));
}

export const FUZZ_RUNS = resolveFuzzRuns(process.env);
/**
 * Cases per REST route: FUZZ_REST_RUNS, by default a quarter of FUZZ_RUNS. A route calls the same
 * procedure the tRPC cases fuzz at full count; these cases fuzz what REST adds (the path, the
 * method, the body's framing, problem details).
 */
export const FUZZ_REST_RUNS = Math.max(1, Number(process.env.FUZZ_REST_RUNS || Math.ceil(FUZZ_RUNS / 4)));
/** Cases in flight at once; each fast-check run sends one batch of this many. */
export const FUZZ_CONCURRENCY = Math.max(1, Number(process.env.FUZZ_CONCURRENCY ?? 16));
const FUZZ_SEED = resolveFuzzSeed(process.env);

/**
 * fast-check's parameters for one property, the seed printed first (a failure report repeats it
 * with the path; `FUZZ_SEED=<seed> FUZZ_RUNS=<runs>` replays the run). `examples` run before the
 * generated cases, on top of `numRuns`, so the regression list never changes what the seed draws.
 */
export function fuzzParameters<T>(name: string, numRuns: number, examples: T[] = []): fc.Parameters<T> {
  console.log(
    `[fuzz] ${name}: seed ${FUZZ_SEED}, ${numRuns} runs${examples.length > 0 ? ` after ${examples.length} regression example(s)` : ""} (replay: FUZZ_SEED=${FUZZ_SEED} FUZZ_RUNS=${FUZZ_RUNS})`,
  );
  return { numRuns: numRuns + examples.length, seed: FUZZ_SEED, examples, endOnFailure: process.env.FUZZ_SHRINK !== "1" };
}

/** Per-IP limits out of the way (the failed-sign-in and OTP budgets are not scaled: 429 is fine). */
export const fuzzServerEnv = { RATE_LIMIT_SCALE: "1000000", TRUST_PROXY: "1" } as const;

/** The server of a procedure-fuzzing suite: fuzzServerEnv (and `env`, e.g. the provider stand-ins'), with a mail catcher taking what it sends. */
export async function startFuzzServer(env: Record<string, string> = {}): Promise<TestServer> {
  return startServer({ mail: true, env: { ...fuzzServerEnv, MAIL_FROM: "Gatehouse <no-reply@example.com>", ...env } });
}

// ---------------------------------------------------------------------------------------------
// A JSON value model that can say what JSON.stringify cannot: duplicate keys, "__proto__" as an
// own key, raw numerals such as 1e309 or -0, and pre-encoded deep nesting.

class Obj {
  constructor(readonly entries: readonly (readonly [string, J])[]) {}
}
export class Raw {
  constructor(readonly text: string) {}
}
export type J = null | boolean | number | string | J[] | Obj | Raw;

export function encodeJson(value: J): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : JSON.stringify(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof Raw) return value.text;
  if (value instanceof Obj) return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${encodeJson(v)}`).join(",")}}`;
  return `[${value.map(encodeJson).join(",")}]`;
}

/** Every string in a value (keys included): what a success answer may legitimately echo. */
function stringsOf(value: J, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value instanceof Obj) {
    for (const [k, v] of value.entries) {
      out.push(k);
      stringsOf(v, out);
    }
  }
  return out;
}

const obj = (fields: Record<string, J>) => new Obj(Object.entries(fields));

// ---------------------------------------------------------------------------------------------
// Generators

/** Strings that have broken parsers, normalizers and databases before. */
export const trickyStrings = [
  "",
  " ",
  "\t\n",
  "\u0000",
  "a\u0000b",
  "admin\u0000",
  "\u0000\u0000\u0000\u0000\u0000\u0000",
  "\ud800",
  "\udfff",
  "a\ud83dz",
  "\ud83d\ude00",
  "😀".repeat(18),
  "😀".repeat(19),
  "é".repeat(36),
  "é".repeat(37),
  "\ufeff",
  "\ufffe",
  "\uffff",
  "\u200b",
  "\u200d",
  "\u202e",
  "\u2028\u2029",
  "\u0085",
  "e\u0301",
  "İ",
  "ı",
  "ß",
  "ﬁ",
  "K",
  "Å",
  "Ⅻ",
  "１２３４５６",
  "٠١٢٣٤٥",
  "𝟎𝟏𝟐𝟑𝟒𝟓",
  "123456",
  "000000",
  "12345",
  "1234567",
  " 123456",
  "123456\n",
  "null",
  "undefined",
  "true",
  "NaN",
  "Infinity",
  "-0",
  "1e309",
  "0x10",
  "[]",
  "{}",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "' OR '1'='1",
  '\'; DROP TABLE "User"; --',
  "\\",
  "%",
  "_",
  "%_%",
  "\\%",
  "$1",
  "$$",
  "${{7*7}}",
  "{{7*7}}",
  "<script>alert(1)</script>",
  "javascript:alert(1)",
  "../../../../etc/passwd",
  "..\\..\\win.ini",
  "file:///etc/passwd",
  "http://",
  "https://",
  "http://[::1]",
  "http://user:pass@evil.example/",
  "https://a.b/" + "c".repeat(2100),
  "a@b",
  "a@b.c",
  "@example.com",
  "a@@example.com",
  '"a b"@example.com',
  "a@[127.0.0.1]",
  "a@example.com\r\nBcc: x@evil.example",
  "Bearer ",
  "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
  "a".repeat(64),
  "a".repeat(65),
  "a".repeat(254),
  "a".repeat(255),
  "x".repeat(72),
  "x".repeat(73),
  "x".repeat(513),
  "-",
  "--",
  "a-",
  "-a",
  "ab",
  "aa",
  "a.b",
  "a..b",
] as const;

const controlUnits = [
  "\u0000",
  "\u0001",
  "\u001f",
  "\u007f",
  "\u0085",
  "\u00a0",
  "\u2028",
  "\ufeff",
  "\ufffe",
  "\ud800",
  "\udc00",
  "\u200d",
  "\u0301",
  "a",
  "Z",
  "0",
  "-",
  ".",
  "@",
  " ",
];

/** Short strings over every kind of unit, plus the tricky list and a few long runs. */
export const weirdString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "grapheme", maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...controlUnits), maxLength: 12 }) },
  { weight: 4, arbitrary: fc.constantFrom(...trickyStrings) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("a", "é", "😀", "\u0000", "İ", " ", "%", "\ud800"), fc.integer({ min: 60, max: 400 }))
      .map(([unit, n]) => unit.repeat(n)),
  },
);

/** Numerals JSON.parse turns into surprises (Infinity, -0, lost precision). */
const rawNumerals = [
  "1e309",
  "-1e309",
  "-0",
  "0.0",
  "1e-400",
  "9007199254740993",
  "123456789012345678901234567890",
  "1E2",
  "-1",
  "0",
  "1",
  "100",
  "101",
  "20.5",
  "1e2",
];

const leaf: fc.Arbitrary<J> = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom<J>(null, true, false) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(...rawNumerals).map((t) => new Raw(t)) },
  { weight: 4, arbitrary: weirdString },
);

/** Keys that have polluted prototypes before, plus `names` (the procedure's own fields). */
function keyArb(names: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      "__proto__",
      "constructor",
      "prototype",
      "toString",
      "valueOf",
      "hasOwnProperty",
      "__defineGetter__",
      "polluted",
      "isAdmin",
      "role",
      "then",
      "0",
      "",
    ),
    ...(names.length > 0 ? [fc.constantFrom(...names)] : []),
    fc.string({ maxLength: 8 }),
  );
}

/** `{"__proto__": {...}}` and `{"constructor": {"prototype": {...}}}`, the classic payloads. */
const pollutionPayload: fc.Arbitrary<readonly [string, J]> = fc.constantFrom<readonly [string, J]>(
  ["__proto__", obj({ polluted: "yes", isAdmin: true, role: "admin", allowUnverifiedEmail: true })],
  ["constructor", obj({ prototype: obj({ polluted: "yes", isAdmin: true }) })],
  ["__proto__", new Obj([["__proto__", obj({ polluted: "yes" })]])],
  ["prototype", obj({ polluted: "yes" })],
);

/** Any JSON-ish value, nested a few levels, with prototype-pollution keys among the keys. */
export function anyValue(names: readonly string[] = []): fc.Arbitrary<J> {
  const { value } = fc.letrec<{ value: J }>((tie) => ({
    value: fc.oneof(
      { maxDepth: 4, depthIdentifier: "fuzz-json" },
      { weight: 5, arbitrary: leaf },
      { weight: 1, arbitrary: fc.array(tie("value"), { maxLength: 5 }) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.array(fc.tuple(keyArb(names), tie("value")), { maxLength: 5 }), fc.option(pollutionPayload, { freq: 3 }))
          .map(([entries, payload]) => new Obj(payload ? [...entries, payload] : entries)),
      },
    ),
  }));
  return value;
}

/** Nesting thousands of levels deep, as a whole input or inside a field. */
const deepValue: fc.Arbitrary<J> = fc
  .tuple(fc.integer({ min: 500, max: 10_000 }), fc.constantFrom("array", "object", "mixed"))
  .map(([depth, shape]) => {
    if (shape === "array") return new Raw("[".repeat(depth) + "]".repeat(depth));
    if (shape === "object") return new Raw('{"a":'.repeat(depth) + "1" + "}".repeat(depth));
    return new Raw('[{"__proto__":'.repeat(depth / 2) + "null" + "}]".repeat(depth / 2));
  });

/** Bodies past 64 KiB (the contract's limit: 413). */
const hugeValue: fc.Arbitrary<J> = fc
  .tuple(fc.integer({ min: 65_537, max: 72_000 }), fc.constantFrom("x", "é", "😀"))
  .map(([bytes, unit]) => unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit))));

/** Raw bodies that are not (valid, UTF-8) JSON. */
export const rawBody: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  fc
    .constantFrom(
      "",
      " ",
      "{",
      "}",
      "[",
      '{"a":}',
      "[1,]",
      "{}{}",
      "nul",
      "NaN",
      "undefined",
      "{'a':1}",
      '"\\ud800"',
      '{"a":"\\u0000"}',
      '{"a":"\\x00"}',
      "\ufeff{}",
      "{}\u0000",
      "0",
      "-",
      "1e999999",
      '"',
      '{"__proto__":',
      "[".repeat(100_000).slice(0, 60_000),
    )
    .map((text) => Buffer.from(text, "utf8")),
  fc
    .tuple(
      fc.constantFrom('{"tenantKey":"', '{"userId":"', '{"email":"', '{"code":"', '{"key":"'),
      fc.uint8Array({ minLength: 1, maxLength: 16 }),
    )
    .map(([prefix, bytes]) => Buffer.concat([Buffer.from(prefix), Buffer.from(bytes), Buffer.from('"}')])),
);

export function randomIp(): string {
  const [a, b, c] = randomBytes(3);
  return `10.${a}.${b}.${Math.max(1, c!)}`;
}

/** A value that passes every shared schema for its kind (so near-valid cases reach the services). */
export const valid = {
  tenantKey: fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,20}$/),
  userId: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{2,20}$/),
  email: fc
    .tuple(fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,12}$/), fc.constantFrom("example.com", "example.org", "mail.example.com"))
    .map(([l, d]) => `${l}@${d}`),
  displayName: fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }).filter((s) => s.trim().length > 0),
  password: fc.string({ unit: "grapheme-ascii", minLength: 12, maxLength: 40 }).map((s) => `Fz-${s}-9`),
  code: fc.stringMatching(/^\d{6}$/),
  uuid: fc.uuid(),
};

// ---------------------------------------------------------------------------------------------
// Cases

export interface FuzzCase {
  method: string;
  /** Path after /api/trpc/ (may be anything for the transport suite); a REST case's whole path. */
  path: string;
  /** A case for the REST route of this procedure (`path` is then `/api/v1/...`, filled in). */
  rest?: string;
  /** Extra query string (without "?"), e.g. `input=...` or `batch=1&input=...`. */
  query?: string;
  body?: Buffer;
  contentType?: string | null;
  /** Which identity's credentials to send (the suite maps it to headers). */
  identity: string;
  /** Strings of the input: a success answer may echo these. */
  echo: string[];
  /** A short description for failure reports. */
  label: string;
  /** A regression case's expected outcome (`outcomeOf`), e.g. "400 validation/Invalid". */
  expect?: string;
}

export interface ProcedureSpec {
  path: string;
  kind: "query" | "mutation";
  /** Field generators for a near-valid input (fixture values mixed with random valid ones). */
  fields: Record<string, fc.Arbitrary<J>>;
  /** Fields that may be left out. */
  optional?: readonly string[];
  /** Identities and their weights (default: the suite's). */
  identities: readonly { weight: number; identity: string }[];
  /** Weight of untouched near-valid inputs (these reach the services; keep low where they hash). */
  validWeight?: number;
}

const percentEncode = (bytes: Buffer) => [...bytes].map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`).join("");

type Shape = { input: J | Buffer; note: string };

/** Near-valid: the fields' valid values, with zero or one mutation. */
function nearValid(spec: ProcedureSpec): fc.Arbitrary<Shape> {
  const names = Object.keys(spec.fields);
  const base = fc.record(spec.fields) as fc.Arbitrary<Record<string, J>>;
  const withOptional = fc.tuple(base, fc.subarray([...(spec.optional ?? [])])).map(([fields, dropped]) => {
    const copy = { ...fields };
    for (const name of dropped) delete copy[name];
    return copy;
  });
  const field = names.length > 0 ? fc.constantFrom(...names) : fc.constant("x");
  return fc.oneof(
    { weight: spec.validWeight ?? 3, arbitrary: withOptional.map((f) => ({ input: obj(f), note: "valid" })) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(withOptional, field, anyValue(names))
        .map(([f, name, value]) => ({ input: obj({ ...f, [name]: value }), note: `field ${name} replaced` })),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(withOptional, field, weirdString)
        .map(([f, name, value]) => ({ input: obj({ ...f, [name]: value }), note: `field ${name} weird string` })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(withOptional, field).map(([f, name]) => ({
        input: obj(Object.fromEntries(Object.entries(f).filter(([k]) => k !== name))),
        note: `field ${name} missing`,
      })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(withOptional, pollutionPayload)
        .map(([f, payload]) => ({ input: new Obj([payload, ...Object.entries(f)]), note: "pollution key added" })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(withOptional, field, anyValue()).map(([f, name, value]) => ({
        // JSON.parse keeps the last of duplicate keys; some parsers keep the first.
        input: new Obj([...Object.entries(f), [name, value]]),
        note: `field ${name} duplicated`,
      })),
    },
    { weight: 1, arbitrary: withOptional.map((f) => ({ input: new Obj([["__proto__", obj(f)]]), note: "fields only under __proto__" })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(withOptional, field, deepValue)
        .map(([f, name, deep]) => ({ input: obj({ ...f, [name]: deep }), note: `field ${name} deeply nested` })),
    },
  );
}

function inputShape(spec: ProcedureSpec): fc.Arbitrary<Shape> {
  return fc.oneof(
    { weight: 12, arbitrary: nearValid(spec) },
    { weight: 5, arbitrary: anyValue(Object.keys(spec.fields)).map((input) => ({ input, note: "any value" })) },
    { weight: 2, arbitrary: rawBody.map((input) => ({ input, note: "raw bytes" })) },
    { weight: 1, arbitrary: deepValue.map((input) => ({ input, note: "deep nesting" })) },
    {
      weight: 1,
      arbitrary: hugeValue.map((input) => ({ input: obj({ [Object.keys(spec.fields)[0] ?? "x"]: input }), note: "huge body" })),
    },
  );
}

const contentTypes = fc.oneof(
  { weight: 20, arbitrary: fc.constant<string | null>("application/json") },
  {
    weight: 1,
    arbitrary: fc.constantFrom<string | null>(
      "application/json; charset=utf-8",
      "APPLICATION/JSON",
      "application/json;charset=utf-16",
      null,
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/octet-stream",
      "application/jsonx",
      "",
    ),
  },
);

/** Cases for one procedure: its input, method, transport variant and caller identity. */
export function procedureCase(spec: ProcedureSpec): fc.Arbitrary<FuzzCase> {
  const identity = fc.oneof(...spec.identities.map(({ weight, identity }) => ({ weight, arbitrary: fc.constant(identity) })));
  const wrongMethod = fc.oneof({ weight: 24, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
  const batched = fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
  return fc.tuple(inputShape(spec), identity, wrongMethod, batched, contentTypes).map(([shape, who, wrong, batch, contentType]) => {
    const bytes = Buffer.isBuffer(shape.input)
      ? shape.input
      : Buffer.from(encodeJson(batch ? obj({ 0: shape.input }) : shape.input), "utf8");
    const echo = Buffer.isBuffer(shape.input) ? [] : stringsOf(shape.input);
    const asQuery = (spec.kind === "query") !== wrong;
    const label = `${shape.note}${batch ? ", batched" : ""}${wrong ? ", wrong method" : ""}, as ${who}`;
    const batchQuery = batch ? "batch=1&" : "";
    const described = <T extends object>(c: T): T =>
      Object.assign(c, {
        [fc.toStringMethod]: () =>
          `${(c as FuzzCase).method} ${spec.path} [${label}] ${JSON.stringify(bytes.toString("utf8").slice(0, 200))}`,
      });
    if (asQuery) {
      // Query inputs ride in the URL; keep it under Node's 16 KiB header limit (huge ones get
      // their own test in fuzz-transport).
      const text = bytes.toString("utf8");
      // Valid UTF-8 goes through encodeURIComponent; raw bytes (invalid UTF-8 included) byte by byte.
      const full = Buffer.isBuffer(shape.input) || text.includes("\ufffd") ? percentEncode(bytes) : encodeURIComponent(text);
      const encoded = full.length <= 6000 ? full : full.slice(0, 6000).replace(/%[0-9A-F]?$/i, "");
      return described({
        method: "GET",
        path: spec.path,
        query: `${batchQuery}input=${encoded}`,
        identity: who,
        echo,
        label,
        contentType: null,
      });
    }
    return described({
      method: "POST",
      path: spec.path,
      query: batch ? "batch=1" : undefined,
      body: bytes,
      contentType,
      identity: who,
      echo,
      label,
    });
  });
}

/** A path parameter's value as a client would put it in the URL (raw bytes for invalid UTF-8). */
function pathSegmentOf(value: string): string {
  return value.includes("\ufffd") || /[\ud800-\udfff]/.test(value) ? percentEncode(Buffer.from(value, "utf8")) : encodeURIComponent(value);
}

/**
 * Cases for one procedure's REST route: the same inputs as `procedureCase`, sent as the route
 * takes them (path parameters filled from the input's fields and taken out of the body, JSON
 * bodies for POST and PATCH, none for GET and DELETE), sometimes with a wrong method, a body
 * where none belongs, or a path parameter also left in the body.
 */
export function restProcedureCase(spec: ProcedureSpec, route: RestRoute): fc.Arbitrary<FuzzCase> {
  const identity = fc.oneof(...spec.identities.map(({ weight, identity }) => ({ weight, arbitrary: fc.constant(identity) })));
  const method = fc.oneof(
    { weight: 24, arbitrary: fc.constant(route.method) },
    { weight: 1, arbitrary: fc.constantFrom("GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS") },
  );
  const names = pathParameters(route.path);
  const takesBody = route.method === "POST" || route.method === "PATCH";
  const strayBody = fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
  const keepParameter = fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
  const fallbackValues = fc.array(weirdString, { minLength: names.length, maxLength: names.length });
  return fc
    .tuple(inputShape(spec), identity, method, contentTypes, strayBody, keepParameter, fallbackValues)
    .map(([shape, who, m, contentType, stray, keep, fallback]) => {
      let input = shape.input;
      let path = route.path;
      names.forEach((name, i) => {
        // The field's value when the input has it as a string; any weird string otherwise.
        const field = input instanceof Obj ? input.entries.find(([key]) => key === name)?.[1] : undefined;
        const value = typeof field === "string" ? field : fallback[i]!;
        // Under Node's 16 KiB header limit, as procedureCase keeps query inputs (a long URL gets a 431 from Node itself).
        path = path.replace(
          `{${name}}`,
          pathSegmentOf(value)
            .slice(0, 6000)
            .replace(/%[0-9A-F]?$/i, ""),
        );
        if (input instanceof Obj && !keep) input = new Obj(input.entries.filter(([key]) => key !== name));
      });
      const bytes = Buffer.isBuffer(input) ? input : Buffer.from(encodeJson(input), "utf8");
      const withBody = takesBody || stray;
      const echo = Buffer.isBuffer(shape.input) ? [] : stringsOf(shape.input);
      const label = `REST ${m} ${route.path}: ${shape.note}${stray && !takesBody ? ", stray body" : ""}${keep && names.length > 0 ? ", parameter kept in body" : ""}, as ${who}`;
      const c: FuzzCase = {
        method: m,
        path,
        rest: spec.path,
        body: withBody ? bytes : undefined,
        contentType: withBody ? contentType : null,
        identity: who,
        echo,
        label,
      };
      return Object.assign(c, {
        [fc.toStringMethod]: () =>
          `${m} ${path.slice(0, 200)} [${label}] ${withBody ? JSON.stringify(bytes.toString("utf8").slice(0, 200)) : "-"}`,
      });
    });
}

// ---------------------------------------------------------------------------------------------
// The regression list: every counterexample a fuzz run has found (fuzz-regressions.json), replayed
// first on every run of its procedure, whatever the seed.

export interface RegressionEntry {
  /** The procedure (as in ProcedureSpec.path). */
  path: string;
  /** The suite's identity to send it as. */
  identity: string;
  /** The input as JSON (`"$NAME$"` strings are the suite's fixture values); or `body`, raw text. */
  input?: J;
  body?: string;
  /** The outcome it must now get (`outcomeOf`); without one, the usual checks only. */
  expect?: string;
  /** Where it was found (the seed, the run) and what it did then. */
  found: string;
  was: string;
}

const REGRESSIONS_FILE = new URL("./fuzz-regressions.json", import.meta.url);

export function regressionEntries(): RegressionEntry[] {
  return (JSON.parse(readFileSync(REGRESSIONS_FILE, "utf8")) as { cases: RegressionEntry[] }).cases;
}

function fromJson(value: unknown): J {
  if (value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(fromJson);
  return new Obj(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, fromJson(v)] as const));
}

function substituted(value: J, vars: Record<string, string>): J {
  if (typeof value === "string") return value.replace(/\$([A-Z_]+)\$/g, (whole, name: string) => vars[name] ?? whole);
  if (Array.isArray(value)) return value.map((v) => substituted(v, vars));
  if (value instanceof Obj) return new Obj(value.entries.map(([k, v]) => [k, substituted(v, vars)] as const));
  return value;
}

/** The regression list's cases for one procedure, as FuzzCases, `$NAME$` replaced from `vars`. */
export function regressionCases(spec: Pick<ProcedureSpec, "path" | "kind">, vars: Record<string, string> = {}): FuzzCase[] {
  return regressionEntries()
    .filter((entry) => entry.path === spec.path)
    .map((entry) => {
      const input = entry.input === undefined ? undefined : substituted(fromJson(entry.input), vars);
      const bytes = Buffer.from(input === undefined ? (entry.body ?? "") : encodeJson(input), "utf8");
      const label = `regression (${entry.found}), as ${entry.identity}`;
      const common = {
        path: spec.path,
        identity: entry.identity,
        echo: input === undefined ? [] : stringsOf(input),
        label,
        ...(entry.expect ? { expect: entry.expect } : {}),
      };
      return spec.kind === "query"
        ? { ...common, method: "GET", query: `input=${encodeURIComponent(bytes.toString("utf8"))}`, contentType: null }
        : { ...common, method: "POST", body: bytes, contentType: "application/json" };
    });
}

// ---------------------------------------------------------------------------------------------
// Transport

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: FUZZ_CONCURRENCY * 2 });

/** One HTTP request with exactly these bytes and headers (undefined header values are left out). */
export function send(
  baseUrl: string,
  options: { method: string; path: string; headers?: Record<string, string | undefined>; body?: Buffer },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers[name] = value;
  if (options.body) headers["content-length"] = String(options.body.length);
  const attempt = (retried: boolean): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method: options.method, path: options.path, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      // A server that answers 413 before reading the whole body may reset the socket while we
      // still write: the answer, if it came, is what counts.
      req.on("error", (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed just as we reused it (Node's documented race,
        // see http.ClientRequest#reusedSocket): the request never reached the server; send it
        // once more on a fresh socket instead of failing the property on the transport.
        if (!retried && req.reusedSocket && error.code === "ECONNRESET") attempt(true).then(resolve, reject);
        else reject(error);
      });
      if (options.body) req.end(options.body);
      else req.end();
    });
  return attempt(false);
}

/** Sends a FuzzCase with the identity's headers, from a random client IP. */
export function sendCase(baseUrl: string, fuzzCase: FuzzCase, identityHeaders: Record<string, string | undefined>): Promise<RawResponse> {
  const base = fuzzCase.rest === undefined ? `/api/trpc/${fuzzCase.path}` : fuzzCase.path;
  const path = `${base}${fuzzCase.query ? `?${fuzzCase.query}` : ""}`;
  return send(baseUrl, {
    method: fuzzCase.method,
    path,
    body: fuzzCase.body,
    headers: {
      "x-forwarded-for": randomIp(),
      "user-agent": "gatehouse-fuzz",
      ...(fuzzCase.body ? { "content-type": fuzzCase.contentType ?? undefined } : {}),
      ...identityHeaders,
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Checks

const STACK_FRAME = /\bat .+:\d+:\d+/;
const SOURCE_PATH = /node_modules|\/work\/|file:\/\/|\.ts:\d+|\.m?js:\d+/;
const SQL_OR_DB =
  /\b(SELECT|INSERT INTO|DELETE FROM)\b|\bUPDATE\s+"?\w+"?\s+SET\b|prisma|\bP[1-5]\d{3}\b|\bpg_|relation "|violates|duplicate key|syntax error at|invalid byte sequence|ECONNREFUSED|ETIMEDOUT/i;
const BCRYPT_HASH = /\$2[aby]?\$\d\d\$/;
const JWT = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{20,}/g;
const REFRESH_TOKEN = /(?<![\w.-])[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![\w.-])/g;
const HEX64 = /(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])/g;
const HASH_FIELD = /"(passwordHash|refreshTokenHash|privateJwkEncrypted|hmac|secret)"\s*:/i;

const appCodes = new Set(Object.keys(errorCatalogue));

export interface CheckContext {
  /** Procedures whose success answers carry the caller's own new tokens. */
  issuesTokens: boolean;
  /** Strings that must never appear in any answer (other users' tokens, passwords, secrets). */
  secrets: readonly string[];
  /** Strings of the request input: a success answer may echo them (normalized). */
  echo: readonly string[];
  /** 64-hex strings seen in success answers, to compare with stored hashes afterwards. */
  hexSeen: Set<string>;
  /** The request asked for tRPC's streaming batch (JSON lines, sent as application/json). */
  jsonLines?: boolean;
  /**
   * A REST request (/api/v1): answers are problem details or bare results. `procedure`: the one its
   * route calls, if known; `head`: a HEAD request (an answer without a body).
   */
  rest?: { procedure?: string; head?: boolean };
}

type Envelope = { result?: { data?: unknown }; error?: { message?: unknown; code?: unknown; data?: Record<string, unknown> } };

function checkEnvelope(item: unknown, where: string, problems: string[], status?: number): item is Envelope {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    problems.push(`${where}: not an object`);
    return false;
  }
  const env = item as Envelope;
  if (env.error !== undefined) {
    const data = env.error.data;
    const appCode = data?.appCode;
    if (typeof appCode !== "string" || !appCodes.has(appCode))
      problems.push(`${where}: appCode ${String(appCode)} is not in the catalogue`);
    else {
      const expected = errorCatalogue[appCode as keyof typeof errorCatalogue].status;
      if (data?.httpStatus !== expected)
        problems.push(`${where}: httpStatus ${String(data?.httpStatus)} for ${appCode} (catalogue: ${expected})`);
      if (status !== undefined && status !== expected) problems.push(`${where}: HTTP ${status} for ${appCode} (catalogue: ${expected})`);
      // Every code a procedure answers is one its contract entry declares (or the transport's).
      const declared = typeof data?.path === "string" ? contractProcedures.get(data.path)?.errors : undefined;
      if (declared && !(declared as readonly string[]).includes(appCode) && !(transportAppCodes as readonly string[]).includes(appCode)) {
        problems.push(`${where}: ${appCode} is not among the appCodes @gatehouse/contract declares for ${String(data?.path)}`);
      }
    }
    if (typeof data?.httpStatus === "number" && data.httpStatus >= 500) problems.push(`${where}: ${String(appCode)} (${data.httpStatus})`);
    if (typeof env.error.message !== "string") problems.push(`${where}: error without a message`);
    const extra = Object.keys(env.error).filter((k) => !["message", "code", "data"].includes(k));
    if (extra.length > 0) problems.push(`${where}: unexpected error fields ${extra.join(",")}`);
    if (data && "stack" in data) problems.push(`${where}: error.data.stack present`);
  } else if (env.result === undefined || !("data" in env.result)) {
    problems.push(`${where}: neither result.data nor error`);
  } else if (status !== undefined && status !== 200) {
    problems.push(`${where}: a result with HTTP ${status}`);
  }
  return true;
}

const PROBLEM_TYPE = "urn:gatehouse:error:";

/**
 * A REST answer: an RFC 9457 problem document of the contract's shape (type, title, status,
 * appCode; a catalogue code with its status, one the procedure declares), or a bare result with
 * the route's success status. Returns whether it was a success.
 */
function checkRestAnswer(body: unknown, res: RawResponse, procedure: string | undefined, problems: string[]): boolean {
  const contentType = String(res.headers["content-type"] ?? "");
  if (!contentType.startsWith("application/problem+json")) {
    if (contentType !== "application/json") problems.push(`a REST result as ${contentType}`);
    // The route's success status (201 where the contract says so); any success where the route is not known.
    const route = procedure === undefined ? undefined : restRoutes.find((r) => r.procedure === procedure);
    const expected = route ? [route.status] : [200, 201];
    if (!expected.includes(res.status)) problems.push(`a REST result with HTTP ${res.status}`);
    return true;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    problems.push("a problem document that is not an object");
    return false;
  }
  const problem = body as Record<string, unknown>;
  const appCode = problem.appCode;
  if (typeof appCode !== "string" || !appCodes.has(appCode)) {
    problems.push(`appCode ${String(appCode)} is not in the catalogue`);
    return false;
  }
  const expected = errorCatalogue[appCode as keyof typeof errorCatalogue].status;
  if (problem.status !== expected || res.status !== expected)
    problems.push(`HTTP ${res.status}, status ${String(problem.status)} for ${appCode} (catalogue: ${expected})`);
  if (problem.type !== `${PROBLEM_TYPE}${appCode}`) problems.push(`problem type ${String(problem.type)} for ${appCode}`);
  if (typeof problem.title !== "string" || problem.title === "") problems.push("a problem without a title");
  if (problem.detail !== undefined && typeof problem.detail !== "string") problems.push("a problem detail that is not a string");
  if ("stack" in problem || "cause" in problem) problems.push("a problem with a stack or cause");
  if (expected === 401 && res.headers["www-authenticate"] !== "Bearer") problems.push("a 401 without WWW-Authenticate: Bearer");
  if (expected === 405 && !res.headers.allow) problems.push("a 405 without Allow");
  const declared = procedure === undefined ? undefined : contractProcedures.get(procedure)?.errors;
  if (declared && !(declared as readonly string[]).includes(appCode) && !(transportAppCodes as readonly string[]).includes(appCode)) {
    problems.push(`${appCode} is not among the appCodes @gatehouse/contract declares for ${procedure}`);
  }
  return false;
}

/** Removes echoed input strings (as sent, and trimmed/lower-cased as the schemas normalize). */
function withoutEcho(text: string, echo: readonly string[]): string {
  let out = text;
  const variants = new Set<string>();
  for (const s of echo) {
    for (const v of [s, s.trim(), s.toLowerCase(), s.trim().toLowerCase()]) if (v.length >= 3) variants.add(JSON.stringify(v).slice(1, -1));
  }
  for (const v of [...variants].sort((a, b) => b.length - a.length)) out = out.split(v).join("");
  return out;
}

function ownTokens(body: unknown): string[] {
  const out: string[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if ((k === "accessToken" || k === "refreshToken") && typeof x === "string") out.push(x);
        else visit(x);
      }
    }
  };
  visit(body);
  return out;
}

/** Everything wrong with one answer (empty when it is fine). */
export function problemsOf(res: RawResponse, ctx: CheckContext): string[] {
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`HTTP ${res.status}`);
  if (res.headers["cache-control"] !== "no-store") problems.push(`cache-control ${String(res.headers["cache-control"])}`);
  if (!res.headers["x-request-id"]) problems.push("no x-request-id");
  if (res.headers["x-content-type-options"] !== "nosniff") problems.push("no nosniff");

  // Whatever the framing (a batch, a JSON-lines stream), no error inside may be a 5xx or unknown.
  for (const [, appCode] of res.text.matchAll(/"appCode":"([^"]*)"/g)) {
    if (!appCodes.has(appCode!)) problems.push(`appCode ${appCode} is not in the catalogue`);
    else if (errorCatalogue[appCode as keyof typeof errorCatalogue].status >= 500) problems.push(`${appCode} inside the answer`);
  }
  let anySuccess = false;
  let body: unknown;
  if (ctx.jsonLines && res.status === 200) {
    // tRPC's streaming batch (trpc-accept: application/jsonl): one JSON value per line.
    for (const line of res.text.split("\n").filter((l) => l.trim() !== "")) {
      try {
        JSON.parse(line);
      } catch {
        problems.push(`a JSON-lines answer with a line that is not JSON: ${line.slice(0, 120)}`);
      }
    }
    anySuccess = res.text.includes('"result"') || !res.text.includes('"error"');
  } else if (res.text === "" && (res.status === 204 || res.status === 200 || ctx.rest?.head === true)) {
    // A preflight or HEAD may answer with no body at all.
    return problems;
  } else {
    try {
      body = JSON.parse(res.text);
    } catch {
      problems.push(`HTTP ${res.status} body is not JSON: ${res.text.slice(0, 120)}`);
      return problems;
    }
    if (ctx.rest) anySuccess = checkRestAnswer(body, res, ctx.rest.procedure, problems);
    else {
      const items = Array.isArray(body) ? body : [body];
      items.forEach((item, i) =>
        checkEnvelope(item, Array.isArray(body) ? `item ${i}` : "body", problems, Array.isArray(body) ? undefined : res.status),
      );
      anySuccess = items.some((item) => (item as Envelope | null)?.result !== undefined);
    }
  }

  // The tokens a success answer hands the caller in its own fields are the caller's, not a leak,
  // even when one equals a token the suite holds as a secret. Access tokens carry a random jti
  // since issue 17, but before that a token for the same session and claims issued in the same
  // second was byte-identical to the caller's current one (issue 15, seed -1450964046); the
  // exemption stays because a token the caller hands back in its own answer is never a leak.
  // A suite that needs to know whose token it is checks its subject itself.
  const own = ctx.issuesTokens && anySuccess ? ownTokens(body) : [];
  let scanned = res.text;
  for (const token of own) scanned = scanned.split(token).join("");
  for (const secret of ctx.secrets)
    if (secret.length >= 8 && scanned.includes(secret)) problems.push(`a foreign secret appears: ${secret.slice(0, 12)}…`);
  if (BCRYPT_HASH.test(res.text)) problems.push("a bcrypt hash appears");
  if (HASH_FIELD.test(res.text)) problems.push("a hash field appears");
  if (res.headers["set-cookie"] && !anySuccess) problems.push("an error answer sets a cookie");

  if (anySuccess) scanned = withoutEcho(scanned, ctx.echo);
  if (STACK_FRAME.test(scanned) || SOURCE_PATH.test(scanned)) problems.push("a stack trace or source path appears");
  if (SQL_OR_DB.test(scanned)) problems.push(`SQL or database text appears: ${SQL_OR_DB.exec(scanned)?.[0]}`);
  const jwts = scanned.match(JWT) ?? [];
  if (jwts.length > 0) problems.push(`an access token the caller was not given: ${jwts[0]!.slice(0, 24)}…`);
  const refresh = scanned.match(REFRESH_TOKEN) ?? [];
  if (refresh.length > 0) problems.push(`a refresh token the caller was not given: ${refresh[0]!.slice(0, 12)}…`);
  for (const hex of scanned.match(HEX64) ?? []) {
    if (!anySuccess) problems.push(`a 64-hex string in an error: ${hex.slice(0, 12)}…`);
    ctx.hexSeen.add(hex.toLowerCase());
  }
  return problems;
}

/** 64-hex strings seen in answers that are stored token hashes (should be none). */
export async function storedHashesAmong(hexSeen: Set<string>): Promise<string[]> {
  if (hexSeen.size === 0) return [];
  const rows = await getPrisma().session.findMany({
    where: { refreshTokenHash: { in: [...hexSeen] } },
    select: { refreshTokenHash: true },
  });
  return rows.map((r) => r.refreshTokenHash);
}

// ---------------------------------------------------------------------------------------------
// Running

export interface FuzzStats {
  cases: number;
  byOutcome: Map<string, number>;
  hexSeen: Set<string>;
}

function outcomeOf(res: RawResponse): string {
  try {
    if (String(res.headers["content-type"]).startsWith("application/problem+json")) {
      return `${res.status} ${String((JSON.parse(res.text) as { appCode?: unknown }).appCode)}`;
    }
    const body = JSON.parse(res.text) as Envelope | Envelope[];
    const first = Array.isArray(body) ? body[0] : body;
    if (first?.error) return `${res.status} ${String(first.error.data?.appCode)}`;
    if (first?.result) return `${res.status} ok`;
    // A REST result: the procedure's output, bare.
    if (res.status < 300) return `${res.status} ok`;
  } catch {
    // fall through
  }
  return `${res.status} (no JSON)`;
}

/**
 * Runs `runs` cases through fast-check, FUZZ_CONCURRENCY at a time. A failing batch is shrunk
 * by fast-check and reported with its seed (re-run with FUZZ_SEED=<seed>).
 */
export async function fuzz(
  cases: fc.Arbitrary<FuzzCase>,
  run: (fuzzCase: FuzzCase) => Promise<{ res: RawResponse; problems: string[] }>,
  options: { runs?: number; name?: string; regressions?: FuzzCase[] } = {},
): Promise<FuzzStats> {
  const runs = options.runs ?? FUZZ_RUNS;
  const stats: FuzzStats = { cases: 0, byOutcome: new Map(), hexSeen: new Set() };
  // The regression cases go first, a batch at a time, on top of `runs` batches of generated ones.
  const regressions = options.regressions ?? [];
  const examples: [FuzzCase[]][] = [];
  for (let i = 0; i < regressions.length; i += FUZZ_CONCURRENCY) examples.push([regressions.slice(i, i + FUZZ_CONCURRENCY)]);
  await fc.assert(
    fc.asyncProperty(fc.array(cases, { minLength: FUZZ_CONCURRENCY, maxLength: FUZZ_CONCURRENCY }), async (batch) => {
      const results = await Promise.all(batch.map(async (c) => ({ c, ...(await run(c)) })));
      const failed: string[] = [];
      for (const { c, res, problems: found } of results) {
        const outcome = outcomeOf(res);
        const problems = c.expect !== undefined && outcome !== c.expect ? [...found, `a regression: expected ${c.expect}`] : found;
        stats.cases++;
        stats.byOutcome.set(outcome, (stats.byOutcome.get(outcome) ?? 0) + 1);
        if (problems.length > 0) {
          failed.push(
            `${c.method} ${c.path}${c.query ? `?${c.query.slice(0, 300)}` : ""} [${c.label}] body=${c.body ? JSON.stringify(c.body.toString("utf8").slice(0, 300)) : "-"}\n` +
              `  → ${outcome}: ${problems.join("; ")}\n  answer: ${res.text.slice(0, 400)}`,
          );
        }
      }
      if (failed.length > 0) throw new Error(failed.join("\n"));
    }),
    fuzzParameters(options.name ?? "fuzz", Math.ceil(runs / FUZZ_CONCURRENCY), examples),
  );
  return stats;
}

/** One line per outcome, most frequent first (printed so a run shows what it reached). */
export function describeOutcomes(path: string, stats: FuzzStats): string {
  const parts = [...stats.byOutcome.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}×${v}`);
  return `${path}: ${stats.cases} cases: ${parts.join(", ")}`;
}

/** Snapshot of the built-in prototypes' own keys, to compare after a run. */
export function prototypeSnapshot(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((proto) => Reflect.ownKeys(proto).map(String).sort().join(","))
    .join("|");
}

export function pollutionProbe(): unknown[] {
  const probe = {} as Record<string, unknown>;
  return [probe.polluted, probe.isAdmin, probe.role, probe.allowUnverifiedEmail, ([] as unknown as Record<string, unknown>).polluted];
}

/** What a procedure-fuzzing suite gathers over its runs, for the checks at its end. */
export interface FuzzTally {
  /** prototypeSnapshot() before the first case. */
  protoBefore: string;
  /** 64-hex strings seen in answers. */
  hexSeen: Set<string>;
  /** Cases per outcome over every procedure. */
  totals: Map<string, number>;
}

export function fuzzTally(): FuzzTally {
  return { protoBefore: prototypeSnapshot(), hexSeen: new Set(), totals: new Map() };
}

/**
 * After one procedure's run: adds its outcomes to the tally, logs them, and expects `runs`
 * (FUZZ_RUNS unless told) cases of which more than 5% got past the outcomes `shallow` matches (the near-valid cases
 * reach the procedure, not only the schema).
 */
export function expectFuzzedDeep(tally: FuzzTally, path: string, stats: FuzzStats, shallow: RegExp, runs = FUZZ_RUNS): void {
  for (const [outcome, n] of stats.byOutcome) tally.totals.set(outcome, (tally.totals.get(outcome) ?? 0) + n);
  console.log(describeOutcomes(path, stats));
  expect(stats.cases).toBeGreaterThanOrEqual(runs);
  const deeper = [...stats.byOutcome.entries()].filter(([o]) => !shallow.test(o)).reduce((n, [, v]) => n + v, 0);
  expect(deeper, describeOutcomes(path, stats)).toBeGreaterThan(stats.cases * 0.05);
}

/**
 * At a fuzz suite's end: no prototype polluted, no stored hash in any answer, and each of
 * `outcomes` reached (with a few hundred cases per procedure each turns up; FUZZ_RUNS below
 * that is a smoke run, which skips this last check).
 */
export async function expectFuzzSuiteClean(tally: FuzzTally, outcomes: string[]): Promise<void> {
  expect(prototypeSnapshot()).toBe(tally.protoBefore);
  expect(pollutionProbe()).toEqual([undefined, undefined, undefined, undefined, undefined]);
  expect(await storedHashesAmong(tally.hexSeen)).toEqual([]);
  if (FUZZ_RUNS >= 200) {
    for (const outcome of outcomes) expect(tally.totals.get(outcome) ?? 0, outcome).toBeGreaterThan(0);
  }
}
