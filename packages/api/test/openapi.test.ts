import { request } from "node:http";
import { validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import { contractProcedures, errorCatalogue, pathParameters, restRoutes, type AppCode } from "@gatehouse/contract";
import {
  openApiDocument,
  problemDetailsSchema,
  type JsonSchema,
  type OpenApiDocument,
  type OpenApiMethod,
  type OpenApiOperation,
} from "@gatehouse/contract/openapi";
import { DOCS_CSP } from "../src/http/openapi";
import { contractStatus, hasRedis, useServer } from "./kit";
import { rest } from "./rest-wire";

/**
 * The OpenAPI document (CONTRACT.md "REST and OpenAPI", issue 18): valid by a standard validator,
 * exactly the REST routes whose procedures exist, each operation as the contract describes it;
 * served at /api/openapi.json, every operation in it served by the REST handler and answering only
 * what the document lists; the /api/docs page and its files.
 */

const document = openApiDocument({ serverUrl: "https://auth.example.com" });

interface Operation {
  method: OpenApiMethod;
  path: string;
  operation: OpenApiOperation;
}

function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ method: method as OpenApiMethod, path, operation: operation! })),
  );
}

const documented = restRoutes.filter((route) => contractProcedures.has(route.procedure));
const routeOf = (op: Operation) => documented.find((route) => route.path === op.path && route.method.toLowerCase() === op.method)!;

/** What the REST handler can answer for any route besides the procedure's own codes (http/rest.ts). */
function transportCodes(method: string, enumParameter: boolean): AppCode[] {
  return [
    "request/Malformed",
    "request/PayloadTooLarge",
    ...(method === "POST" || method === "PATCH" ? (["request/UnsupportedMediaType"] as const) : []),
    ...(enumParameter ? (["request/NotFound"] as const) : []),
  ];
}

/** Every object in a JSON value, depth first (schemas, their properties, items…). */
function* objectsIn(value: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(value)) for (const item of value) yield* objectsIn(item);
  else if (value !== null && typeof value === "object") {
    yield value as Record<string, unknown>;
    for (const entry of Object.values(value)) yield* objectsIn(entry);
  }
}

const bodySchemaOf = (op: OpenApiOperation) => op.requestBody?.content["application/json"].schema;
const propertiesOf = (schema: JsonSchema | undefined) => (schema?.properties ?? {}) as Record<string, JsonSchema>;

describe("the OpenAPI document", () => {
  it("passes a standard OpenAPI 3.1 validator (@readme/openapi-parser), which refuses a broken copy", async () => {
    const result = await validate(structuredClone(document) as never);
    expect(result, JSON.stringify(result)).toMatchObject({ valid: true, specification: "OpenAPI" });
    expect(document.openapi).toBe("3.1.0");

    const danglingRef = structuredClone(document);
    danglingRef.components.schemas = { ...danglingRef.components.schemas, Session: undefined as never };
    delete danglingRef.components.schemas.Session;
    expect((await validate(danglingRef as never)).valid).toBe(false);
    const undescribed = structuredClone(document);
    delete (undescribed.paths["/api/v1/auth/me"]!.get!.responses["200"] as { description?: string }).description;
    expect((await validate(undescribed as never)).valid).toBe(false);
  });

  it("lists exactly the table's routes whose procedure exists in the contract, by their full /api/v1 paths", () => {
    const listed = operationsOf(document).map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(listed.sort()).toEqual(documented.map((route) => `${route.method} ${route.path}`).sort());
    expect(listed).toContain("POST /api/v1/auth/sign-in");
    // A route whose procedure is not in the contract yet is absent, path and all.
    for (const route of restRoutes.filter((r) => !contractProcedures.has(r.procedure))) {
      expect(document.paths[route.path]?.[route.method.toLowerCase() as OpenApiMethod], route.procedure).toBeUndefined();
    }
  });

  it("operationIds are unique and stable (the procedure's path, dots as underscores); summaries and tags are the contract's", () => {
    const ops = operationsOf(document);
    const ids = ops.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const op of ops) {
      const route = routeOf(op);
      expect(op.operation.operationId).toBe(route.procedure.replaceAll(".", "_"));
      expect(op.operation.summary).toBe(contractProcedures.get(route.procedure)!.summary);
      expect(op.operation.tags).toEqual([route.procedure.split(".")[0]]);
    }
    expect(document.tags.map((tag) => tag.name).sort()).toEqual([...new Set(documented.map((r) => r.procedure.split(".")[0]!))].sort());
  });

  it("path parameters are declared in the path, never repeated in a body; GET and DELETE have no body", () => {
    for (const op of operationsOf(document)) {
      const names = pathParameters(op.path);
      expect(
        (op.operation.parameters ?? []).map((p) => [p.name, p.in, p.required]),
        op.path,
      ).toEqual(names.map((n) => [n, "path", true]));
      if (op.method === "get" || op.method === "delete") expect(op.operation.requestBody, op.path).toBeUndefined();
      for (const name of names) expect(Object.keys(propertiesOf(bodySchemaOf(op.operation))), op.path).not.toContain(name);
    }
    const revoke = document.paths["/api/v1/auth/sessions/{id}"]!.delete!;
    expect(revoke.parameters![0]!.schema).toMatchObject({ type: "string", format: "uuid" });
    expect(revoke.parameters![0]!.description).toBe("A session id from listSessions.");
  });

  it("request bodies are the inputs' schemas with their descriptions and examples; required unless {} is a valid input", () => {
    for (const op of operationsOf(document)) {
      const route = routeOf(op);
      const input = contractProcedures.get(route.procedure)!.input;
      const body = op.operation.requestBody;
      if (op.method === "post" || op.method === "patch") {
        expect(body !== undefined, op.path).toBe(input !== null);
        if (body) expect(body.required, op.path).toBe(!input!.safeParse({}).success);
      }
      // Every field a caller sends is explained.
      for (const [name, field] of Object.entries(propertiesOf(bodySchemaOf(op.operation)))) {
        expect(field.description, `${op.path} ${name}`).toEqual(expect.any(String));
      }
    }
    const signUp = bodySchemaOf(document.paths["/api/v1/auth/sign-up"]!.post!)!;
    expect(signUp.required).toEqual(["tenantKey", "userId", "password", "displayName", "email"]);
    expect(propertiesOf(signUp).tenantKey).toMatchObject({ type: "string", pattern: "^[a-z0-9][a-z0-9-]{1,31}$", examples: ["acme"] });
    expect(propertiesOf(signUp).email).toMatchObject({ examples: ["alice@example.com"] });
    expect(document.paths["/api/v1/auth/sign-out"]!.post!.requestBody!.required).toBe(false);
  });

  it("responses: the table's success status with the output schema, and every error status the operation can answer as problem details naming its appCodes", () => {
    for (const op of operationsOf(document)) {
      const route = routeOf(op);
      const procedure = contractProcedures.get(route.procedure)!;
      const enumParameter = (op.operation.parameters ?? []).some((p) => Array.isArray(p.schema.enum));
      const codes = [...new Set([...procedure.errors, ...transportCodes(route.method, enumParameter)])];
      const expected = new Map<string, AppCode[]>();
      for (const code of codes) expected.set(String(contractStatus[code]), [...(expected.get(String(contractStatus[code])) ?? []), code]);

      const { [String(route.status)]: success, ...errors } = op.operation.responses;
      expect(success?.content?.["application/json"]?.schema, op.path).toBeDefined();
      expect(Object.keys(errors).sort(), `${op.method} ${op.path}`).toEqual([...expected.keys()].sort());
      for (const [status, response] of Object.entries(errors)) {
        const media = response.content!["application/problem+json"]!;
        const [base, narrowed] = media.schema.allOf as [JsonSchema, { properties: { status: JsonSchema; appCode: { enum: string[] } } }];
        expect(base).toEqual({ $ref: "#/components/schemas/Problem" });
        expect(narrowed.properties.status).toEqual({ const: Number(status) });
        expect(narrowed.properties.appCode.enum.sort(), `${op.path} ${status}`).toEqual(expected.get(status)!.sort());
        for (const code of expected.get(status)!) {
          expect(response.description).toContain(`\`${code}\``);
          // The examples are problems the schema accepts.
          expect(problemDetailsSchema.parse(media.examples![code]!.value)).toMatchObject({
            appCode: code,
            title: errorCatalogue[code].message,
          });
        }
        if (status === "401") expect(response.headers?.["WWW-Authenticate"]).toBeDefined();
        if (status === "429") expect(response.headers?.["Retry-After"]).toBeDefined();
      }
    }
    const signUp = document.paths["/api/v1/auth/sign-up"]!.post!.responses;
    expect(signUp["201"]!.content!["application/json"]!.schema).toEqual({ $ref: "#/components/schemas/Session" });
    expect(signUp["200"]).toBeUndefined();
  });

  it("the bearer scheme exactly on the operations behind the gates; public ones say security: []", () => {
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
    expect(document.components.securitySchemes.bearerAuth!.description).toContain("Authorization: Bearer <accessToken>");
    expect(document.info.description).toContain("Authorization: Bearer <accessToken>");
    for (const op of operationsOf(document)) {
      const gated = contractProcedures.get(routeOf(op).procedure)!.errors.includes("auth/Unauthenticated");
      expect(op.operation.security, op.path).toEqual(gated ? [{ bearerAuth: [] }] : []);
    }
    expect(document.paths["/api/v1/auth/me"]!.get!.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths["/api/v1/auth/sign-in"]!.post!.security).toEqual([]);
  });

  it("answers are open objects (no additionalProperties: false), so a field added later does not break a generated client", () => {
    const answers = [
      document.components.schemas,
      ...operationsOf(document).map(({ operation }) => Object.values(operation.responses).map((r) => r.content)),
    ];
    const closed = [...objectsIn(answers)].filter((schema) => schema.additionalProperties === false);
    expect(closed).toEqual([]);
    // The shapes themselves are there, with their descriptions.
    expect(document.components.schemas.User).toMatchObject({ type: "object", description: "An end user (never a password hash)." });
    expect(Object.keys(propertiesOf(document.components.schemas.Session))).toEqual(
      expect.arrayContaining(["accessToken", "refreshToken", "user"]),
    );
  });

  it("a {provider} route: an enum path parameter, left out of the body; an unknown provider's 404 is listed", async () => {
    const withSocial = openApiDocument();
    expect((await validate(structuredClone(withSocial) as never)).valid).toBe(true);
    const operation = withSocial.paths["/api/v1/auth/social/{provider}/start"]!.post!;
    expect(operation.parameters).toEqual([
      {
        name: "provider",
        in: "path",
        required: true,
        description: expect.any(String),
        schema: expect.objectContaining({ enum: ["google", "kakao", "naver"] }),
      },
    ]);
    expect(Object.keys(propertiesOf(bodySchemaOf(operation)))).toEqual(["tenantKey", "redirectUri", "state", "codeChallenge"]);
    expect(bodySchemaOf(operation)!.required).toEqual(["tenantKey", "redirectUri"]);
    const notFound = operation.responses["404"]!.content!["application/problem+json"]!.schema.allOf as [
      unknown,
      { properties: { appCode: { enum: string[] } } },
    ];
    expect(notFound[1].properties.appCode.enum.sort()).toEqual(["request/NotFound", "tenant/NotFound"]);
    expect(withSocial.tags.map((tag) => tag.name)).toContain("clientSocial");
    expect(
      Object.keys(withSocial.paths)
        .filter((path) => path.startsWith("/api/v1/auth/social/"))
        .sort(),
    ).toEqual([
      "/api/v1/auth/social/exchange",
      "/api/v1/auth/social/identities",
      "/api/v1/auth/social/{provider}/start",
      "/api/v1/auth/social/{provider}/token",
    ]);
  });

  it("lists the server it is given", () => {
    expect(document.servers).toEqual([{ url: "https://auth.example.com", description: expect.any(String) }]);
    expect(openApiDocument().servers).toBeUndefined();
  });
});

describe("GET /api/openapi.json and /api/docs", () => {
  const suite = useServer();
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${suite.server.url}${path}`, { headers });

  it("serve the document as JSON: cacheable for a while, readable from any origin, with an ETag; HEAD too; other methods 405", async () => {
    const res = await get("/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const served = (await res.json()) as OpenApiDocument;
    expect(served).toEqual(openApiDocument({ serverUrl: suite.server.config.appUrl }));

    const etag = res.headers.get("etag")!;
    expect(etag).toMatch(/^W\/"[\w-]+"$/);
    expect((await get("/api/openapi.json", { "if-none-match": etag })).status).toBe(304);
    expect((await get("/api/openapi.json", { "if-none-match": `W/"other", ${etag}` })).status).toBe(304);
    expect((await get("/api/openapi.json", { "if-none-match": 'W/"other"' })).status).toBe(200);
    const head = await fetch(`${suite.server.url}/api/openapi.json`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const post = await fetch(`${suite.server.url}/api/openapi.json`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(((await post.json()) as { error: { data: { appCode: string } } }).error.data.appCode).toBe("request/MethodNotAllowed");
  });

  it("sends the document and the bundle gzipped to a client that accepts it", async () => {
    for (const path of ["/api/openapi.json", "/api/docs/swagger-ui-bundle.js"]) {
      // fetch() would decode it; node's http shows the wire.
      const wire = await new Promise<{ encoding: string | undefined; length: number }>((resolve, reject) => {
        request(`${suite.server.url}${path}`, { headers: { "accept-encoding": "gzip" } }, (res) => {
          let length = 0;
          res.on("data", (chunk: Buffer) => (length += chunk.length));
          res.on("end", () => resolve({ encoding: res.headers["content-encoding"], length }));
        })
          .on("error", reject)
          .end();
      });
      const plain = Number(
        (await fetch(`${suite.server.url}${path}`, { headers: { "accept-encoding": "identity" } })).headers.get("content-length"),
      );
      expect(wire.encoding, path).toBe("gzip");
      expect(wire.length, path).toBeLessThan(plain / 2);
    }
  });

  it("GET /api/docs is the reference page, under its own strict CSP, loading only files this server serves", async () => {
    const res = await get("/api/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toBe(DOCS_CSP);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    const html = await res.text();
    expect(html).not.toMatch(/<script>|<style|\son\w+=/); // nothing inline
    const references = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(references).toEqual(expect.arrayContaining(["/api/docs/swagger-ui-bundle.js", "/api/docs/docs.js", "/api/docs/swagger-ui.css"]));
    for (const reference of references) {
      if (reference.startsWith("data:")) continue;
      expect(reference, "same origin").toMatch(/^\/api\//);
      const file = await get(reference);
      expect(file.status, reference).toBe(200);
      expect(file.headers.get("content-type"), reference).toMatch(/^(text\/javascript|text\/css|application\/json)/);
      expect(file.headers.get("x-content-type-options")).toBe("nosniff");
    }
    // The page's own script points Swagger UI at the document and turns off its call to swagger.io.
    const init = await (await get("/api/docs/docs.js")).text();
    expect(init).toContain('url: "/api/openapi.json"');
    expect(init).toContain("validatorUrl: null");
  });

  it("unknown files under /api/docs are 404 request/NotFound", async () => {
    for (const path of ["/api/docs/", "/api/docs/index.html", "/api/docs/swagger-ui-bundle.js.map", "/api/docs/oauth2-redirect.html"]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
    }
  });
});

/** A value the parameter's schema accepts: its first enum member (`{provider}`), else a UUID or a word. */
function exampleValue(schema: JsonSchema): string {
  if (Array.isArray(schema.enum)) return String(schema.enum[0]);
  return schema.format === "uuid" ? "00000000-0000-4000-8000-000000000000" : "x";
}

describe.skipIf(!hasRedis)("the document and the REST handler agree", () => {
  const suite = useServer();

  it("every path and method of the document is served, and answers only a status and appCode the document lists for it", async () => {
    const served = (await (await fetch(`${suite.server.url}/api/openapi.json`)).json()) as OpenApiDocument;
    const ops = operationsOf(served);
    expect(ops.length).toBeGreaterThan(0);
    for (const { method, path, operation } of ops) {
      // The least a caller can send: no token, an empty body. Public operations refuse the input,
      // the others the missing token; either way the procedure answered, not the router.
      const concrete = path.replace(/\{(\w+)\}/g, (_, name: string) =>
        exampleValue(operation.parameters!.find((p) => p.name === name)!.schema),
      );
      const answer = await rest(
        suite.server.url,
        method.toUpperCase(),
        concrete,
        method === "post" || method === "patch" ? {} : undefined,
        {
          headers: { "x-forwarded-for": suite.ip },
        },
      );
      const label = `${method.toUpperCase()} ${path}: ${answer.status} ${answer.text.slice(0, 200)}`;
      expect(answer.appCode, label).not.toBe("request/NotFound");
      expect(answer.appCode, label).not.toBe("request/MethodNotAllowed");
      const response = operation.responses[String(answer.status)];
      expect(response, label).toBeDefined();
      const media = response!.content!["application/problem+json"]!;
      expect(media, label).toBeDefined();
      const listed = (media.schema.allOf as [unknown, { properties: { appCode: { enum: string[] } } }])[1].properties.appCode.enum;
      expect(listed, label).toContain(answer.appCode);
      expect(() => problemDetailsSchema.parse(answer.body), label).not.toThrow();
      // The bearer scheme is where the gates are: without a token, those answer 401 first.
      if (operation.security.length > 0) expect(answer.appCode, label).toBe("auth/Unauthenticated");
      else expect(answer.appCode, label).not.toBe("auth/Unauthenticated");
    }
  });
});
