import { z } from "zod";
import { errorCatalogue, transportAppCodes, type AppCode } from "./app-codes";
import { contractProcedures } from "./contract";
import type { ProcedureContract } from "./procedure";
import { pathParameters, restRoutes, type RestRoute } from "./rest";
import { sessionSchema, userSchema } from "./shapes";

/**
 * CONTRACT.md "REST and OpenAPI": the OpenAPI 3.1 document of the REST routes, generated from the
 * contract's data (the route table, each procedure's input and output schemas with their
 * descriptions and examples, its appCodes, the catalogue's statuses and messages), never written
 * by hand. A pure function: the API serves it at /api/openapi.json, tests validate it and generate
 * clients from it. Browser-safe like the rest of the package.
 *
 * Schemas go through zod 4's `z.toJSONSchema` (JSON Schema 2020-12, OpenAPI 3.1's dialect):
 * request bodies and path parameters as the input type (what a caller sends: before trims and
 * defaults), answers as the output type. The shared shapes below become components; everything
 * else is inline in its operation.
 */

/** RFC 9457 `type` of every Gatehouse problem: this prefix and the appCode. */
export const PROBLEM_TYPE_PREFIX = "urn:gatehouse:error:";

const validationIssueSchema = z
  .object({
    path: z.array(z.union([z.string(), z.number()])).describe('Where in the input, e.g. `["email"]`.'),
    message: z.string().describe("What is wrong with it, in words."),
  })
  .describe("One refused field of a `validation/Invalid` problem.");

/**
 * An error answer of the REST routes (RFC 9457 problem details, `application/problem+json`).
 * `appCode` is a plain string here (new cases may bring new codes); each response narrows it to
 * the codes that operation can answer.
 */
export const problemDetailsSchema = z
  .object({
    type: z.string().describe("`urn:gatehouse:error:` followed by the appCode."),
    title: z.string().describe("The appCode's message: the same text for every problem with that appCode."),
    status: z.int().min(400).max(599).describe("The HTTP status of the answer."),
    appCode: z.string().describe("What went wrong, as a stable `<domain>/<Code>` to branch on (the catalogue in docs/api.md)."),
    detail: z.string().optional().describe("This occurrence in words, when it says more than the title."),
    issues: z.array(validationIssueSchema).optional().describe("`validation/Invalid`: each field refused, and why."),
    nextResendAvailableAt: z.iso
      .datetime()
      .optional()
      .describe("Cooldown problems (`…/CooldownActive`): when the next code may be requested."),
  })
  .loose()
  .describe("An RFC 9457 problem details document: every error answer of the REST routes.");

/** The shared shapes, named once under components.schemas (what a generated client calls them). */
const namedSchemas: ReadonlyMap<z.ZodType, string> = new Map<z.ZodType, string>([
  [userSchema, "User"],
  [sessionSchema, "Session"],
  [problemDetailsSchema, "Problem"],
  [validationIssueSchema, "ValidationIssue"],
]);

const SECURITY_SCHEME = "bearerAuth";
const COMPONENTS = "#/components/schemas/";
const componentRef = (name: string) => `${COMPONENTS}${name}`;

/** Tag descriptions by router (a tag is listed only when one of its routes is in the document). */
const routerDescriptions: Readonly<Record<string, string>> = {
  clientAuth: "Sign-up, sign-in, the token pair and its refresh, the signed-in user and their sessions.",
  clientEmailVerification: "Proving the user's email address with a 6-digit code sent to it.",
  clientPhoneVerification: "Proving the user's phone number with a 6-digit code sent by SMS.",
  clientPasswordless: "Sign-in and sign-up with a 6-digit code sent by email, without a password.",
  clientPasswordReset: "Forgotten passwords: a code by SMS or email, then a new password.",
  clientSocial: "Sign-in with Google, Kakao or Naver.",
};

const infoDescription = [
  "Gatehouse's end-user API as plain REST: JSON in, JSON out, no envelope. Each route calls the same procedure as",
  "the tRPC API at `/api/trpc` (named in each operation), with the same inputs, outputs, statuses and appCodes.",
  "",
  "**Authentication.** Sign-up, sign-in and refresh answer a `Session`: an `accessToken` (a JWT, valid for an hour",
  "by default) and a `refreshToken`. Operations marked with a lock need `Authorization: Bearer <accessToken>`.",
  "When the access token expires (401 `auth/Unauthenticated`), `POST /api/v1/auth/refresh` with the",
  "`refreshToken` answers a new pair; each refresh token works once (presenting a used one ends the session).",
  "",
  "**Errors** are RFC 9457 problem details (`application/problem+json`): branch on `appCode`, show `title` or",
  "`detail`; `validation/Invalid` lists the refused fields in `issues`. A 401 carries `WWW-Authenticate: Bearer`;",
  "a 429 (and a 503 when the server is busy) carries `Retry-After` in seconds. Every answer is `Cache-Control: no-store`.",
  "",
  "This document is generated from the contract's schemas (`@gatehouse/contract`); new fields, routes and",
  "appCodes may appear, nothing listed here is renamed or removed.",
].join("\n");

const bearerDescription = [
  "The `accessToken` of a `Session` (from sign-up, sign-in or refresh; change-password and email verification",
  "answer a fresh one), sent as `Authorization: Bearer <accessToken>`. A missing, malformed, expired or revoked",
  "token is 401 `auth/Unauthenticated`: refresh, then try again.",
].join(" ");

export type JsonSchema = Record<string, unknown>;

export interface OpenApiParameter {
  name: string;
  in: "path";
  required: true;
  description?: string;
  schema: JsonSchema;
}

export interface OpenApiResponse {
  description: string;
  headers?: Record<string, { $ref: string }>;
  content?: Record<string, { schema: JsonSchema; examples?: Record<string, { summary: string; value: unknown }> }>;
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: OpenApiParameter[];
  requestBody?: { required: boolean; content: { "application/json": { schema: JsonSchema } } };
  responses: Record<string, OpenApiResponse>;
}

export type OpenApiMethod = "get" | "post" | "patch" | "delete";

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  servers?: { url: string; description?: string }[];
  tags: { name: string; description?: string }[];
  paths: Record<string, Partial<Record<OpenApiMethod, OpenApiOperation>>>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, Record<string, string>>;
    headers: Record<string, { description: string; schema: JsonSchema }>;
  };
}

export interface OpenApiOptions {
  /** The API's public base URL (APP_URL), listed as the document's server. */
  serverUrl?: string;
  /** The procedures to describe (tests try routers the contract does not have yet): the contract's by default. */
  procedures?: ReadonlyMap<string, ProcedureContract>;
}

/** The routes of the table whose procedure exists in the contract: exactly what the document lists. */
export function documentedRestRoutes(procedures: ReadonlyMap<string, ProcedureContract> = contractProcedures): RestRoute[] {
  return restRoutes.filter((route) => procedures.has(route.procedure));
}

/** A stable, unique operationId: the procedure's dotted path with underscores (`clientAuth_signIn`). */
export function operationIdOf(procedure: string): string {
  return procedure.replaceAll(".", "_");
}

/** The object schema under an input's wrappers (a `.prefault({})` around it, say), if it is one. */
function objectOf(schema: z.ZodType): z.ZodObject | undefined {
  if (schema instanceof z.ZodObject) return schema;
  const def = (schema as z.ZodType & { _zod: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
  const inner = def.innerType ?? (def.type === "pipe" ? def.in : undefined);
  return inner ? objectOf(inner) : undefined;
}

interface RouteSchemas {
  route: RestRoute;
  procedure: ProcedureContract;
  parameters: { name: string; schema: z.ZodType }[];
  /** What the body carries: the input without the path's parameters; none for GET and DELETE. */
  body: z.ZodType | undefined;
}

function schemasOfRoute(route: RestRoute, procedure: ProcedureContract): RouteSchemas {
  const names = pathParameters(route.path);
  const input = procedure.input;
  const shape = input ? objectOf(input)?.shape : undefined;
  const parameters = names.map((name) => {
    const schema = shape?.[name] as z.ZodType | undefined;
    if (!schema) throw new Error(`${route.method} ${route.path}: ${route.procedure} has no input field "${name}"`);
    return { name, schema };
  });
  let body: z.ZodType | undefined;
  if (input && (route.method === "POST" || route.method === "PATCH")) {
    body = names.length === 0 ? input : z.object(Object.fromEntries(Object.entries(shape!).filter(([key]) => !names.includes(key))));
  } else if (input && shape && Object.keys(shape).some((key) => !names.includes(key))) {
    // The handler reads no query string: a GET or DELETE takes its whole input from the path.
    throw new Error(`${route.method} ${route.path}: ${route.procedure}'s input has fields that are not in the path`);
  }
  return { route, procedure, parameters, body };
}

/**
 * Every schema of one direction converted in one pass: the named shapes as components (`$ref`s
 * wherever they appear), each other schema under a temporary id that the caller inlines.
 */
function convert(
  schemas: readonly z.ZodType[],
  io: "input" | "output",
): { named: Record<string, JsonSchema>; of: (schema: z.ZodType) => JsonSchema } {
  const registry = z.registry<{ id: string }>();
  const temporary = new Map<z.ZodType, string>();
  for (const [schema, name] of namedSchemas) if (io === "output") registry.add(schema, { id: name });
  for (const schema of schemas) {
    if (registry.has(schema)) continue;
    const id = `__inline${temporary.size}`;
    temporary.set(schema, id);
    registry.add(schema, { id });
  }
  const { schemas: converted } = z.toJSONSchema(registry, {
    io,
    uri: componentRef,
    // A transform's output cannot be described; its input (what callers send) always can.
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema }) => {
      // zod marks an answer's objects closed (it strips unknown keys); the answers only grow, so a
      // generated client must accept a field it does not know yet (shapes.ts).
      const def = zodSchema._zod.def as { type: string; catchall?: unknown };
      if (def.type === "object" && def.catchall === undefined && jsonSchema.additionalProperties === false) {
        delete jsonSchema.additionalProperties;
      }
    },
  });
  if ("__shared" in converted) throw new Error("a schema outside the named ones is shared by reference; name it in namedSchemas");
  const clean = (json: object): JsonSchema => {
    const { $schema: _schema, $id: _id, ...rest } = json as JsonSchema;
    return rest;
  };
  const inlineIds = new Set(temporary.values());
  // A temporary id referenced from another schema is replaced by its body (none is today).
  const inline = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(inline);
    if (value === null || typeof value !== "object") return value;
    const ref = (value as { $ref?: unknown }).$ref;
    const id = typeof ref === "string" && ref.startsWith(COMPONENTS) ? ref.slice(COMPONENTS.length) : undefined;
    if (id !== undefined && inlineIds.has(id)) return inline(clean(converted[id]!));
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, inline(entry)]));
  };
  const named: Record<string, JsonSchema> = {};
  for (const [schema, name] of namedSchemas) if (registry.has(schema)) named[name] = inline(clean(converted[name]!)) as JsonSchema;
  return {
    named,
    of: (schema) => {
      const name = registry.get(schema)?.id;
      if (name === undefined) throw new Error("schema not converted");
      return temporary.has(schema) ? (inline(clean(converted[name]!)) as JsonSchema) : { $ref: componentRef(name) };
    },
  };
}

/** The transport's codes a route can answer besides its procedure's own (the REST handler's). */
function transportCodesOf(route: RestRoute, parameters: RouteSchemas["parameters"]): AppCode[] {
  const codes: AppCode[] = ["request/Malformed", "request/PayloadTooLarge"];
  if (route.method === "POST" || route.method === "PATCH") codes.push("request/UnsupportedMediaType");
  // A value outside an enum parameter's (an unknown `{provider}`) names no route.
  if (parameters.some(({ schema }) => schema instanceof z.ZodEnum)) codes.push("request/NotFound");
  return codes.filter((code) => (transportAppCodes as readonly AppCode[]).includes(code));
}

function problemExample(appCode: AppCode): Record<string, unknown> {
  const { status, message } = errorCatalogue[appCode];
  return { type: `${PROBLEM_TYPE_PREFIX}${appCode}`, title: message, status, appCode };
}

function errorResponses(codes: readonly AppCode[]): Record<string, OpenApiResponse> {
  const byStatus = new Map<number, AppCode[]>();
  for (const code of codes) {
    const { status } = errorCatalogue[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, OpenApiResponse> = {};
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headers: Record<string, { $ref: string }> = {};
    if (status === 401) headers["WWW-Authenticate"] = { $ref: "#/components/headers/WWW-Authenticate" };
    if (status === 429 || status === 503) headers["Retry-After"] = { $ref: "#/components/headers/Retry-After" };
    responses[String(status)] = {
      description: group.map((code) => `- \`${code}\`: ${errorCatalogue[code].message}`).join("\n"),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      content: {
        "application/problem+json": {
          schema: {
            allOf: [
              { $ref: componentRef("Problem") },
              { type: "object", required: ["appCode"], properties: { status: { const: status }, appCode: { enum: group } } },
            ],
          },
          examples: Object.fromEntries(group.map((code) => [code, { summary: errorCatalogue[code].message, value: problemExample(code) }])),
        },
      },
    };
  }
  return responses;
}

function descriptionOf(route: RestRoute, procedure: ProcedureContract, bearer: boolean): string {
  const lines: string[] = [];
  if (bearer) {
    const allowed = [
      procedure.errors.includes("auth/EmailNotVerified") ? undefined : "before the email is verified",
      procedure.errors.includes("auth/PasswordChangeRequired") ? undefined : "while a password change is required",
    ].filter((words) => words !== undefined);
    lines.push(`Needs \`Authorization: Bearer <accessToken>\`.${allowed.length > 0 ? ` Allowed ${allowed.join(" and ")}.` : ""}`);
  } else {
    lines.push("Public: no access token.");
  }
  const trpcMethod = procedure.kind === "query" ? "GET" : "POST";
  lines.push(`The procedure \`${route.procedure}\` (tRPC: \`${trpcMethod} /api/trpc/${route.procedure}\`).`);
  return lines.join("\n\n");
}

/** The OpenAPI 3.1 document of the REST routes whose procedures exist in the contract. */
export function openApiDocument(options: OpenApiOptions = {}): OpenApiDocument {
  const procedures = options.procedures ?? contractProcedures;
  const routes = documentedRestRoutes(procedures).map((route) => schemasOfRoute(route, procedures.get(route.procedure)!));
  const inputs = convert(
    routes.flatMap(({ parameters, body }) => [...parameters.map(({ schema }) => schema), ...(body ? [body] : [])]),
    "input",
  );
  const outputs = convert(
    routes.map(({ procedure }) => procedure.output),
    "output",
  );

  const paths: OpenApiDocument["paths"] = {};
  const tags = new Set<string>();
  for (const { route, procedure, parameters, body } of routes) {
    const bearer = procedure.errors.includes("auth/Unauthenticated");
    const tag = route.procedure.split(".", 1)[0]!;
    tags.add(tag);
    const codes = [...new Set<AppCode>([...procedure.errors, ...transportCodesOf(route, parameters)])];
    const operation: OpenApiOperation = {
      operationId: operationIdOf(route.procedure),
      summary: procedure.summary,
      description: descriptionOf(route, procedure, bearer),
      tags: [tag],
      security: bearer ? [{ [SECURITY_SCHEME]: [] }] : [],
      ...(parameters.length > 0
        ? {
            parameters: parameters.map(({ name, schema }) => {
              const json = inputs.of(schema);
              return {
                name,
                in: "path" as const,
                required: true as const,
                ...(typeof json.description === "string" ? { description: json.description } : {}),
                schema: json,
              };
            }),
          }
        : {}),
      ...(body
        ? {
            requestBody: {
              // An empty body is `{}`: required only when `{}` is not a valid input.
              required: !body.safeParse({}).success,
              content: { "application/json": { schema: inputs.of(body) } },
            },
          }
        : {}),
      responses: {
        [String(route.status)]: {
          description: route.status === 201 ? "Created." : "OK.",
          content: { "application/json": { schema: outputs.of(procedure.output) } },
        },
        ...errorResponses(codes),
      },
    };
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase() as OpenApiMethod]: operation };
  }

  return {
    openapi: "3.1.0",
    info: { title: "Gatehouse REST API", version: "v1", description: infoDescription },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl, description: "This Gatehouse" }] } : {}),
    tags: [...tags].map((name) => ({ name, ...(routerDescriptions[name] ? { description: routerDescriptions[name] } : {}) })),
    paths,
    components: {
      schemas: outputs.named,
      securitySchemes: { [SECURITY_SCHEME]: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: bearerDescription } },
      headers: {
        "Retry-After": { description: "Whole seconds to wait before trying again.", schema: { type: "integer", minimum: 1 } },
        "WWW-Authenticate": { description: "`Bearer`: the call needs a valid access token.", schema: { type: "string" } },
      },
    },
  };
}
