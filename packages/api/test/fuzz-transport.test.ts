import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { restRoutes } from "@gatehouse/contract";
import { getPrisma } from "@gatehouse/db";
import { hashPassword } from "../src/lib/password-hasher";
import { errorCatalogue } from "../src/errors";
import { appRouter } from "../src/root";
import { createSession } from "../src/services/sessions";
import { hasRedis, signInStaff, startServer, unique, type TestServer } from "./kit";
import {
  FUZZ_CONCURRENCY,
  FUZZ_RUNS,
  anyValue,
  describeOutcomes,
  encodeJson,
  fuzz,
  fuzzParameters,
  fuzzServerEnv,
  pollutionProbe,
  problemsOf,
  prototypeSnapshot,
  randomIp,
  rawBody,
  send,
  storedHashesAmong,
  trickyStrings,
  type FuzzCase,
  type RawResponse,
} from "./fuzz-harness";

/**
 * The transport under fuzzing: random methods, paths (known procedures, batches of them,
 * unknown and malformed ones; the REST routes with good, junk and malformed path parameters), query strings, headers (Origin, Cookie, Authorization,
 * X-Forwarded-For, X-Request-Id, content types, tRPC's streaming accept) and bodies, against the
 * real front-server handler; plus the edges a generator rarely hits: the 64 KiB limit exactly,
 * chunked bodies, aborted requests, malformed HTTP, and the staff sign-in form.
 */

const procedures = Object.keys(appRouter._def.procedures);
const tokenIssuing = new Set([
  "clientAuth.signUp",
  "clientAuth.signIn",
  "clientAuth.refresh",
  "clientAuth.changePassword",
  "clientEmailVerification.verifyEmail",
]);
const PASSWORD = "Fuzz-transport-passphrase-5";

const printable = fc.string({ unit: fc.constantFrom(..."abcXYZ019-._~!$&'()*+,;=:@%/?#[] \"<>\\^`{|}".split("")), maxLength: 24 });
const pathSegment = fc.string({ unit: fc.constantFrom(..."abcXYZ019-._~!$&'()*+,;=:@%".split("")), maxLength: 16 });
const malformedEscapes = ["%", "%E0%A4%A", "%zz", "%00", "%C0%AE", "%2e%2e", "%2F", "%u0041", "%FF%FE"];

function percentBytes(bytes: Buffer): string {
  return [...bytes].map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`).join("");
}

/** A REST route's path with its `{parameters}` filled: plausible values, junk, malformed escapes. */
const restPathArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...restRoutes.map((route) => route.path)),
    fc.oneof(
      fc.uuid(),
      fc.constantFrom("google", "kakao", "naver", "Google", "__proto__", "constructor", "..", ".", "%2F", "a%2Fb", ...malformedEscapes),
      pathSegment,
    ),
  )
  .map(([path, value]) => path.replace(/\{[A-Za-z]+\}/g, value));

const pathArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: restPathArb },
  { weight: 1, arbitrary: pathSegment.map((s) => `/api/v1/auth/${s}`) },
  { weight: 6, arbitrary: fc.constantFrom(...procedures).map((p) => `/api/trpc/${p}`) },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.constantFrom(...procedures, "nope", ""), { minLength: 2, maxLength: 25 })
      .map((ps) => `/api/trpc/${ps.join(",")}`),
  },
  { weight: 2, arbitrary: pathSegment.map((s) => `/api/trpc/${s}`) },
  { weight: 1, arbitrary: fc.constantFrom(...malformedEscapes).map((e) => `/api/trpc/clientAuth.${e}`) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "/api/trpc",
      "/api/trpc/",
      "/api/health",
      "/.well-known/jwks.json",
      "/api/trpc/../health",
      "/api/trpc/backOffice.staff.list/../../health",
      "/api//trpc/clientAuth.me",
      "/API/TRPC/clientAuth.me",
      "/api/trpc/clientAuth.me%00",
      "/api/trpc/clientAuth%2Eme",
      "/api/trpc/__proto__",
      "/api/trpc/constructor.prototype",
      "/api/trpc/backOffice.__proto__.list",
      "/api/trpc/clientAuth.me/",
      "/api/health/",
      "/api/nope",
      "/api/",
      "/.well-known/jwks.json/..",
      "/api/v1",
      "/api/v1/",
      "/api/v1/auth/me/",
      "/API/V1/auth/me",
      "/api/v1//auth/me",
      "/api/v1/auth/../auth/me",
      "/api/v1/auth/me%00",
      "/api/v1/auth/sessions/",
      "/api/v1/auth/sessions/..",
      "/api/v1/auth/social/__proto__/start",
    ),
  },
  { weight: 1, arbitrary: pathSegment.map((s) => `/api/${s}`) },
);

const queryArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: anyValue().map((v) => `input=${encodeURIComponent(encodeJson(v))}`) },
  { weight: 2, arbitrary: anyValue().map((v) => `batch=1&input=${encodeURIComponent(encodeJson(v))}`) },
  { weight: 1, arbitrary: rawBody.map((b) => `input=${percentBytes(b.subarray(0, 2000))}`) },
  { weight: 1, arbitrary: fc.constantFrom(...malformedEscapes).map((e) => `input=${e}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "batch=1",
      "batch=2",
      "batch=true",
      "input=1&input=2",
      "batch=1&batch=0",
      "input",
      "=",
      "&&&",
      "input=%7B%7D#frag",
      "__proto__[x]=1",
      "connectionParams=1",
    ),
  },
  { weight: 1, arbitrary: printable.map((s) => encodeURI(s)) },
);

type Who = "none" | "user" | "admin" | `cookie:${number}` | `auth:${number}`;

interface Fixtures {
  userToken: string;
  refreshToken: string;
  adminCookie: string;
  tenantOrigin: string;
  garbageCookies: string[];
  garbageAuth: string[];
  secrets: string[];
}

function headersArb(f: Fixtures, appOrigin: string) {
  const origin = fc.oneof(
    { weight: 6, arbitrary: fc.constant<string | undefined>(undefined) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<string | undefined>(
        "http://evil.example",
        f.tenantOrigin,
        appOrigin,
        "null",
        "file://",
        `${f.tenantOrigin}.evil.example`,
        "HTTP://EVIL.EXAMPLE",
      ),
    },
    { weight: 1, arbitrary: printable.map((s) => s || undefined) },
  );
  const who = fc.oneof(
    { weight: 4, arbitrary: fc.constant<Who>("none") },
    { weight: 2, arbitrary: fc.constant<Who>("user") },
    { weight: 2, arbitrary: fc.constant<Who>("admin") },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: f.garbageCookies.length - 1 }).map((i) => `cookie:${i}` as Who) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: f.garbageAuth.length - 1 }).map((i) => `auth:${i}` as Who) },
  );
  const contentType = fc.oneof(
    { weight: 5, arbitrary: fc.constant<string | undefined>("application/json") },
    { weight: 2, arbitrary: fc.constant<string | undefined>(undefined) },
    {
      weight: 2,
      arbitrary: fc.constantFrom<string | undefined>(
        "text/plain",
        "application/json; charset=latin1",
        "multipart/form-data; boundary=--x",
        "application/x-www-form-urlencoded",
        "application/octet-stream",
        "application/json, text/plain",
        ";;",
        "application/jsonl",
      ),
    },
  );
  const forwarded = fc.oneof(
    { weight: 6, arbitrary: fc.ipV4() },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "1.2.3.4, evil",
        "::ffff:10.1.2.3",
        "not-an-ip",
        "a".repeat(100),
        "",
        ",,,",
        "10.0.0.1,10.0.0.2,10.0.0.3",
        "[::1]",
        "2001:db8::1",
      ),
    },
  );
  const requestId = fc.oneof(
    { weight: 4, arbitrary: fc.constant<string | undefined>(undefined) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<string | undefined>(
        "upstream-req-12345",
        "../../etc",
        "a".repeat(100),
        "<script>",
        "short",
        "x".repeat(64),
      ),
    },
  );
  const accept = fc.oneof(
    { weight: 6, arbitrary: fc.constant<Record<string, string>>({}) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Record<string, string>>(
        { "trpc-accept": "application/jsonl" },
        { accept: "text/event-stream" },
        { "trpc-accept": "nonsense" },
        { "x-trpc-source": "fuzz" },
      ),
    },
  );
  return fc.record({ origin, who, contentType, forwarded, requestId, accept });
}

interface TransportCase extends FuzzCase {
  headers: Record<string, string | undefined>;
  rawPath: string;
}

function transportCase(f: Fixtures, appOrigin: string): fc.Arbitrary<FuzzCase> {
  const method = fc.oneof(
    { weight: 4, arbitrary: fc.constant("GET") },
    { weight: 4, arbitrary: fc.constant("POST") },
    { weight: 1, arbitrary: fc.constantFrom("PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "PURGE") },
  );
  const body = fc.oneof(
    { weight: 3, arbitrary: fc.constant<Buffer | undefined>(undefined) },
    {
      weight: 5,
      arbitrary: anyValue(["tenantKey", "userId", "password", "refreshToken", "key", "0"]).map((v) => Buffer.from(encodeJson(v))),
    },
    { weight: 2, arbitrary: rawBody },
  );
  return fc.tuple(method, pathArb, queryArb, body, headersArb(f, appOrigin)).map(([m, path, query, b, h]) => {
    const headers: Record<string, string | undefined> = {
      origin: h.origin,
      "content-type": h.contentType,
      "x-forwarded-for": h.forwarded,
      "x-request-id": h.requestId,
      ...h.accept,
    };
    if (h.who === "user") headers.authorization = `Bearer ${f.userToken}`;
    else if (h.who === "admin") headers.cookie = f.adminCookie;
    else if (h.who.startsWith("cookie:")) headers.cookie = f.garbageCookies[Number(h.who.slice(7))];
    else if (h.who.startsWith("auth:")) headers.authorization = f.garbageAuth[Number(h.who.slice(5))];
    const bodyToSend = m === "GET" || m === "HEAD" ? undefined : b;
    const rawPath = `${path}${query === undefined ? "" : `?${query}`}`;
    const label = `${m} ${rawPath.slice(0, 200)} as ${h.who}${h.origin ? ` from ${h.origin}` : ""}`;
    const c: TransportCase = {
      method: m,
      path,
      rawPath,
      query,
      body: bodyToSend,
      contentType: h.contentType ?? null,
      identity: h.who,
      echo: [],
      label,
      headers,
    };
    return Object.assign(c, {
      [fc.toStringMethod]: () => `${label} body=${JSON.stringify(bodyToSend?.toString("utf8").slice(0, 200) ?? "-")}`,
    });
  });
}

/** The procedure a REST request reaches (its route's, by method and path), if any. */
const restMatchers = restRoutes.map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replace(/\{[A-Za-z]+\}/g, "[^/]+")}$`),
}));
function restProcedureAt(method: string, pathname: string): string | undefined {
  return restMatchers.find(({ route, pattern }) => route.method === method && pattern.test(pathname))?.route.procedure;
}

/** Checks for answers outside tRPC's envelope: health and JWKS have shapes of their own. */
/** Some catalogue appCode with this status (HEAD answers carry no body to read it from). */
function appCodeForStatus(status: number): string {
  return Object.entries(errorCatalogue).find(([, e]) => e.status === status)?.[0] ?? `none for ${status}`;
}

function transportProblems(c: TransportCase, answer: RawResponse, f: Fixtures, hexSeen: Set<string>): string[] {
  let res = answer;
  const pathname = c.path;
  if (res.status >= 500) return [`HTTP ${res.status}: ${res.text.slice(0, 200)}`];
  // Not the API's (paths are case-sensitive): the handler declines it and Next serves it.
  const isApi = (pathname.startsWith("/api/") && !pathname.startsWith("/api/auth/")) || pathname === "/.well-known/jwks.json";
  if (!isApi)
    return res.status === 404 && res.text === (c.method === "HEAD" ? "" : "not handled by the API") ? [] : [`the API answered ${pathname}`];
  const isTrpc = pathname === "/api/trpc" || pathname.startsWith("/api/trpc/");
  const procedurePath = isTrpc ? pathname.slice("/api/trpc/".length) : "";
  if (pathname === "/api/health" && res.status === 200 && c.method === "GET") {
    return res.text === '{"status":"ok","db":"ok","redis":"ok"}' ? [] : [`unexpected health answer ${res.text}`];
  }
  if (pathname === "/.well-known/jwks.json" && res.status === 200) {
    const problems: string[] = [];
    if (res.headers["cache-control"] !== "max-age=300") problems.push(`jwks cache-control ${String(res.headers["cache-control"])}`);
    if (c.method === "HEAD") return problems;
    const jwks = JSON.parse(res.text) as { keys: Record<string, unknown>[] };
    for (const key of jwks.keys) if ("d" in key) problems.push("a private key part is published");
    return problems;
  }
  if (pathname === "/api/v1" || pathname.startsWith("/api/v1/")) {
    const procedure = restProcedureAt(c.method, pathname);
    return problemsOf(res, {
      issuesTokens: procedure !== undefined && tokenIssuing.has(procedure),
      secrets: f.secrets,
      echo: [],
      hexSeen,
      rest: { procedure, head: c.method === "HEAD" },
    });
  }
  // HEAD: the same status and headers as GET would have, no body.
  if (c.method === "HEAD" && res.text === "" && res.status >= 400)
    res = {
      ...res,
      text: JSON.stringify({ error: { message: "", code: 0, data: { appCode: appCodeForStatus(res.status), httpStatus: res.status } } }),
    };
  const problems = problemsOf(
    { ...res, headers: { ...res.headers, "cache-control": res.headers["cache-control"] } },
    {
      issuesTokens: tokenIssuing.has(procedurePath),
      secrets: f.secrets,
      echo: [],
      hexSeen,
      jsonLines: c.headers["trpc-accept"] === "application/jsonl",
    },
  );
  return problems;
}

describe.skipIf(!hasRedis)("fuzzing the transport", () => {
  let server: TestServer;
  let f: Fixtures;
  const protoBefore = prototypeSnapshot();
  const hexSeen = new Set<string>();

  beforeAll(async () => {
    server = await startServer({ env: { ...fuzzServerEnv } });
    const prisma = getPrisma();
    const hash = await hashPassword(PASSWORD);
    const tenantOrigin = `https://${unique("app")}.fuzz.example`;
    const tenant = await prisma.tenant.create({ data: { key: unique("fzx").slice(0, 30), name: "Fuzz transport", appUrl: tenantOrigin } });
    const userId = unique("tu").toLowerCase();
    const user = await prisma.user.create({
      data: {
        tenantId: tenant.id,
        userId,
        email: `${userId}@example.com`,
        displayName: "T",
        passwordHash: hash,
        source: "self_signup",
        emailVerifiedAt: new Date(),
        verifiedEmail: `${userId}@example.com`,
      },
    });
    const session = await createSession(user, tenant, { ip: "10.1.1.1", userAgent: "fuzz" });
    const email = `${unique("fzta")}@staff.example.com`;
    await prisma.staffUser.create({ data: { email, passwordHash: hash, role: "admin" } });
    const adminCookie = (await signInStaff(server.url, email, PASSWORD, { headers: { "x-forwarded-for": randomIp() } }))!;
    const cookieName = adminCookie.split("=", 1)[0]!;
    f = {
      userToken: session.accessToken,
      refreshToken: session.refreshToken,
      adminCookie,
      tenantOrigin,
      garbageCookies: [
        `${cookieName}=%E0%A4%A`,
        `${cookieName}=%`,
        `${cookieName}=${adminCookie.slice(cookieName.length + 1, -4)}abcd`,
        ";;;",
        `${cookieName}=${"A".repeat(3000)}`,
      ],
      garbageAuth: [
        "Bearer",
        "Bearer %",
        `Bearer ${session.accessToken.slice(0, -4)}abcd`,
        `Basic ${session.accessToken}`,
        `Bearer ${session.refreshToken}`,
        `Bearer ${"a".repeat(5000)}`,
      ],
      secrets: [
        PASSWORD,
        hash,
        process.env.AUTH_SECRET!,
        session.accessToken,
        session.refreshToken,
        adminCookie.slice(cookieName.length + 1),
      ],
    };
  });

  afterAll(async () => {
    await server?.close();
  });

  it(`random methods, paths, queries, headers and bodies: ${FUZZ_RUNS} cases, never a 5xx, every answer in the contract's shape`, async () => {
    const appOrigin = new URL(server.config.appUrl).origin;
    const stats = await fuzz(
      transportCase(f, appOrigin),
      async (fc_) => {
        const c = fc_ as TransportCase;
        const res = await send(server.url, { method: c.method, path: c.rawPath, headers: c.headers, body: c.body });
        return { res, problems: transportProblems(c, res, f, hexSeen) };
      },
      { name: "transport" },
    );
    console.log(describeOutcomes("transport", stats));
    expect(stats.cases).toBeGreaterThanOrEqual(FUZZ_RUNS);
    expect(await storedHashesAmong(hexSeen)).toEqual([]);
  }, 600_000);

  it("the 64 KiB limit is exact, and holds for chunked bodies too", async () => {
    const path = "/api/trpc/clientAuth.signIn";
    const at = (size: number) => {
      const padding = size - Buffer.byteLength('{"tenantKey":"x","pad":""}');
      return Buffer.from(`{"tenantKey":"x","pad":"${"a".repeat(padding)}"}`);
    };
    const exact = await send(server.url, {
      method: "POST",
      path,
      headers: { "content-type": "application/json", "x-forwarded-for": randomIp() },
      body: at(65_536),
    });
    expect(exact.status).toBe(400);
    expect(JSON.parse(exact.text).error.data.appCode).toBe("validation/Invalid");
    const over = await send(server.url, {
      method: "POST",
      path,
      headers: { "content-type": "application/json", "x-forwarded-for": randomIp() },
      body: at(65_537),
    });
    expect(over.status).toBe(413);
    expect(JSON.parse(over.text).error.data.appCode).toBe("request/PayloadTooLarge");
    // No Content-Length at all: the limit counts the bytes as they arrive.
    const chunked = await rawHttp(server.url, [
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
      ...Array.from({ length: 20 }, () => `1000\r\n${"a".repeat(4096)}\r\n`),
      "0\r\n\r\n",
    ]);
    expect(chunked).toMatch(/^HTTP\/1\.1 413/);
    expect(chunked).toContain('"appCode":"request/PayloadTooLarge"');
  });

  it("oversized URLs and headers are refused by Node's parser with a 4xx, and the server lives on", async () => {
    const longUrl = await send(server.url, { method: "GET", path: `/api/trpc/clientAuth.me?input=${"a".repeat(20_000)}` }).catch(
      (e: Error) => e,
    );
    expect(longUrl instanceof Error ? longUrl.message : longUrl.status).toSatisfy(
      (v: unknown) => v === 431 || v === 414 || (typeof v === "string" && /socket hang up|ECONNRESET/.test(v)),
    );
    const bigHeader = await send(server.url, { method: "GET", path: "/api/health", headers: { "x-big": "b".repeat(20_000) } }).catch(
      (e: Error) => e,
    );
    expect(bigHeader instanceof Error ? bigHeader.message : bigHeader.status).toSatisfy(
      (v: unknown) => v === 431 || (typeof v === "string" && /socket hang up|ECONNRESET/.test(v)),
    );
    expect((await send(server.url, { method: "GET", path: "/api/health" })).status).toBe(200);
  });

  it("malformed HTTP, aborted bodies and slow clients do not crash the server", async () => {
    const answers = await Promise.all([
      rawHttp(server.url, ["GET /api/trpc/clientAuth.me HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n"]),
      rawHttp(server.url, [
        "POST /api/trpc/clientAuth.signIn HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n",
      ]),
      rawHttp(server.url, ["GET /api/trpc/clientAuth.me HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\nConnection: close\r\n\r\n"]),
      rawHttp(server.url, ["FOO /api/trpc/clientAuth.me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"]),
      rawHttp(server.url, ["GET /api/trpc/clientAuth.me HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n"]),
      rawHttp(server.url, ["\r\n\r\n\r\n"]),
      // Body promised, then the client goes away.
      rawHttp(
        server.url,
        [
          'POST /api/trpc/clientAuth.signIn HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"tenantKey":',
        ],
        { closeAfterMs: 50 },
      ),
    ]);
    for (const answer of answers) expect(answer).not.toMatch(/^HTTP\/1\.[01] 5\d\d/);
    expect(answers[0]).toMatch(/^HTTP\/1\.1 400/);
    expect((await send(server.url, { method: "GET", path: "/api/health" })).status).toBe(200);
  });

  it(`the staff sign-in form under adversarial emails and passwords: never a 5xx`, async () => {
    const csrf = await fetch(`${server.url}/api/auth/csrf`);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const csrfCookie = csrf.headers
      .getSetCookie()
      .map((c) => c.split(";", 1)[0])
      .join("; ");
    const field = fc.oneof(
      fc.constantFrom(...trickyStrings),
      fc.string({ unit: "binary", maxLength: 20 }),
      fc.constantFrom("admin@staff.example.com", "ADMIN@STAFF.EXAMPLE.COM"),
    );
    const runs = Math.min(FUZZ_RUNS, 400);
    const ip = randomIp();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(field, field, fc.boolean()), { minLength: FUZZ_CONCURRENCY, maxLength: FUZZ_CONCURRENCY }),
        async (batch) => {
          const results = await Promise.all(
            batch.map(async ([email, password, withCsrf]) => {
              const form = new URLSearchParams({ email, password, ...(withCsrf ? { csrfToken } : {}) }).toString();
              // One IP and a few accounts: the per-account budget soon answers before bcrypt does.
              const res = await send(server.url, {
                method: "POST",
                path: "/api/auth/callback/credentials",
                headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie, "x-forwarded-for": ip },
                body: Buffer.from(form),
              });
              statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
              return { email, password, res };
            }),
          );
          for (const { email, password, res } of results) {
            if (res.status >= 500)
              throw new Error(`staff sign-in ${JSON.stringify({ email, password })} → ${res.status} ${res.text.slice(0, 200)}`);
            if ([res.text, String(res.headers.location ?? "")].some((t) => /\bat .+:\d+:\d+|prisma|SELECT/i.test(t)))
              throw new Error(`staff sign-in leaked: ${res.text.slice(0, 200)}`);
            if (([] as string[]).concat(res.headers["set-cookie"] ?? []).some((c) => /authjs\.session-token=[^;]/.test(c)))
              throw new Error("a session for a made-up staff member");
          }
        },
      ),
      fuzzParameters("staff sign-in form", Math.ceil(runs / FUZZ_CONCURRENCY)),
    );
    console.log(`staff sign-in: ${[...statuses.entries()].map(([s, n]) => `${s}×${n}`).join(", ")}`);
  }, 600_000);

  it("left no prototype polluted", () => {
    expect(prototypeSnapshot()).toBe(protoBefore);
    expect(pollutionProbe()).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});

/** Writes raw bytes to the server and returns whatever comes back before it closes. */
function rawHttp(baseUrl: string, chunks: string[], options: { closeAfterMs?: number } = {}): Promise<string> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    const received: Buffer[] = [];
    socket.on("data", (d: Buffer) => received.push(d));
    socket.on("error", () => resolve(Buffer.concat(received).toString("latin1")));
    socket.on("close", () => resolve(Buffer.concat(received).toString("latin1")));
    socket.on("connect", () => {
      for (const chunk of chunks) socket.write(chunk, "latin1");
      if (options.closeAfterMs !== undefined) setTimeout(() => socket.destroy(), options.closeAfterMs);
    });
    setTimeout(() => socket.destroy(), 10_000);
  });
}
