import type { IncomingMessage, ServerResponse } from "node:http";
import { getTRPCErrorFromUnknown, type AnyTRPCRouter, type TRPCError } from "@trpc/server";
import { pathParameters, REST_PREFIX, restRoutes, type RestRoute } from "@gatehouse/contract";
import type { Context } from "../context";
import { classifyError } from "../error-shape";
import { AppError, errorCatalogue, type AppCode } from "../errors";
import { getLogger } from "../lib/log";
import { isAllowedClientOrigin } from "../services/cors-origins";
import { createCallerFactory } from "../trpc";
import { REQUEST_ID_HEADER } from "./headers";
import { readBodyText } from "./read-body";
import { apiHeaders } from "./respond";

/**
 * CONTRACT.md "REST and OpenAPI": the `client*` procedures as plain REST under /api/v1. Each
 * route calls its procedure through the router's caller with the same context the tRPC path
 * builds, so the middlewares, gates, per-IP limits and audit are the procedures' own; this file
 * only translates the wire (path and method to a procedure, the body and path parameters to its
 * input, its result to JSON, its errors to RFC 9457 problem details).
 *
 * Everything per route is compiled once, when the handler is built: a request costs one Map
 * lookup (or, for the few paths with a `{parameter}`, one split and a short scan), and no Fetch
 * Request or Response is ever made.
 */
export { REST_PREFIX };
export const REST_BASE_PATH = `${REST_PREFIX}/`;

/** Request headers a browser may send cross-origin to /api/v1 (Bearer tokens and JSON bodies). */
const CORS_ALLOWED_HEADERS = "authorization, content-type";
/** Response headers a cross-origin caller may read (the tRPC path's, plus the 401's challenge). */
const CORS_EXPOSED_HEADERS = "retry-after, x-request-id, www-authenticate";

const PROBLEM_TYPE_PREFIX = "urn:gatehouse:error:";

interface ServedRoute {
  route: RestRoute;
  procedure: ProcedureDefinition;
  /** The procedure's path in the caller (`["clientAuth", "me"]`). */
  callerPath: readonly string[];
  /** The procedure declares no input (`me`): the call gets none. */
  takesNoInput: boolean;
}

/** One path of the table with the methods served on it. */
interface PathEntry {
  /** By HTTP method (a Map: a request's method is never looked up on a prototype). */
  methods: ReadonlyMap<string, ServedRoute>;
  /** The `Allow` header of a 405 (the served methods and OPTIONS). */
  allow: string;
  /** `Access-Control-Allow-Methods` of a preflight: the served methods. */
  corsMethods: string;
  /** Path parameters in order, with the values each may take when its input field is an enum. */
  parameters: readonly { name: string; allowed: ReadonlySet<string> | undefined }[];
}

interface ParameterisedPath {
  /** The path's segments; `undefined` stands for a parameter. */
  segments: readonly (string | undefined)[];
  entry: PathEntry;
}

interface Matcher {
  exact: ReadonlyMap<string, PathEntry>;
  parameterised: readonly ParameterisedPath[];
}

/** A request matched to a path: its entry and the decoded parameter values, in order. */
interface Match {
  entry: PathEntry;
  values: readonly string[];
}

/** What this file reads of a tRPC procedure: its input parsers (zod schemas, in `.input()` order). */
interface ProcedureDefinition {
  _def: { inputs: unknown[] };
}

/**
 * The values an input field may take when the procedure declares it as an enum (`{provider}`):
 * any other value names no route, so it is a 404 like an unknown path, not a 400. Read from the
 * procedure's own input schema (zod 4's `shape` and `options`), the one its calls are parsed with.
 */
function enumValuesOf(procedure: ProcedureDefinition, field: string): ReadonlySet<string> | undefined {
  for (const input of procedure._def.inputs as { shape?: Record<string, unknown> }[]) {
    const options = (input.shape?.[field] as { options?: unknown } | undefined)?.options;
    if (Array.isArray(options) && options.every((option) => typeof option === "string")) return new Set(options);
  }
  return undefined;
}

/** The routes of the table whose procedure the router has, grouped by path. */
function compileRoutes(router: AnyTRPCRouter): Matcher {
  const procedures = router._def.procedures as Record<string, ProcedureDefinition>;
  const byPath = new Map<string, ServedRoute[]>();
  for (const route of restRoutes) {
    // A route of a procedure not built yet is absent: its path answers 404 like any unknown one.
    if (!Object.hasOwn(procedures, route.procedure)) continue;
    const procedure = procedures[route.procedure]!;
    const served: ServedRoute = {
      route,
      procedure,
      callerPath: route.procedure.split("."),
      takesNoInput: procedure._def.inputs.length === 0,
    };
    byPath.set(route.path, [...(byPath.get(route.path) ?? []), served]);
  }
  const exact = new Map<string, PathEntry>();
  const parameterised: ParameterisedPath[] = [];
  for (const [path, routes] of byPath) {
    const methods = routes.map((served) => served.route.method);
    const names = pathParameters(path);
    const entry: PathEntry = {
      methods: new Map(routes.map((served) => [served.route.method, served])),
      allow: [...methods, "OPTIONS"].join(", "),
      corsMethods: methods.join(", "),
      // Routes sharing a path share its parameters; the first route's input schema names their values.
      parameters: names.map((name) => ({ name, allowed: enumValuesOf(routes[0]!.procedure, name) })),
    };
    if (names.length === 0) exact.set(path, entry);
    else parameterised.push({ segments: path.split("/").map((segment) => (/^\{[A-Za-z]+\}$/.test(segment) ? undefined : segment)), entry });
  }
  return { exact, parameterised };
}

function matchPath(matcher: Matcher, pathname: string): Match | undefined {
  const entry = matcher.exact.get(pathname);
  if (entry) return { entry, values: [] };
  if (matcher.parameterised.length === 0) return undefined;
  const segments = pathname.split("/");
  for (const candidate of matcher.parameterised) {
    if (candidate.segments.length !== segments.length) continue;
    const values: string[] = [];
    let matched = true;
    for (let i = 0; i < segments.length && matched; i++) {
      const expected = candidate.segments[i];
      const segment = segments[i]!;
      if (expected !== undefined) {
        matched = expected === segment;
        continue;
      }
      const value = decodeSegment(segment);
      const allowed = candidate.entry.parameters[values.length]?.allowed;
      matched = value !== undefined && value !== "" && (allowed === undefined || allowed.has(value));
      if (matched) values.push(value!);
    }
    if (matched) return { entry: candidate.entry, values };
  }
  return undefined;
}

/** A path segment's value; a malformed %-escape names no route. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** HTTP/1.1: a request has a body only with Transfer-Encoding or a non-zero Content-Length. */
function mayHaveBody(req: IncomingMessage): boolean {
  return req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? "0") > 0;
}

function isJsonContentType(value: string | undefined): boolean {
  return value?.split(";", 1)[0]?.trim().toLowerCase() === "application/json";
}

/** The body as UTF-8 text, or a 413 past the limit. */
function readBody(req: IncomingMessage, maxBodySize: number): Promise<string> {
  return readBodyText(req, maxBodySize, () => new AppError("request/PayloadTooLarge", errorCatalogue["request/PayloadTooLarge"].message));
}

function requestError(appCode: AppCode, message?: string, details: AppError["details"] = {}): AppError {
  return new AppError(appCode, message ?? errorCatalogue[appCode].message, details);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The procedure's input: the JSON body (POST and PATCH; an empty one is `{}`), with the path's
 * parameters merged in. GET and DELETE take no body. Transport faults (415, 413, malformed JSON)
 * are thrown as AppErrors, before the procedure runs.
 */
async function inputOf(req: IncomingMessage, served: ServedRoute, match: Match, maxBodySize: number): Promise<unknown> {
  const method = served.route.method;
  const withBody = method === "POST" || method === "PATCH";
  let body: unknown = undefined;
  if (withBody) {
    const contentType = req.headers["content-type"];
    // JSON only: a declared type must be JSON, and a body without a declared type is refused too
    // (form posts and `curl -d` send one that is not).
    if (contentType !== undefined ? !isJsonContentType(contentType) : mayHaveBody(req)) throw requestError("request/UnsupportedMediaType");
  }
  if (Number(req.headers["content-length"] ?? "0") > maxBodySize) throw requestError("request/PayloadTooLarge");
  const text = mayHaveBody(req) ? await readBody(req, maxBodySize) : "";
  if (withBody) {
    if (text.trim() === "") body = {};
    else {
      try {
        body = JSON.parse(text);
      } catch {
        throw requestError("request/Malformed");
      }
    }
  } else if (text !== "") {
    throw requestError("request/Malformed", `${method} takes no request body: its input is the path.`);
  }

  const { parameters } = match.entry;
  if (parameters.length === 0) return served.takesNoInput ? undefined : body;
  const fromPath = Object.fromEntries(parameters.map((parameter, i) => [parameter.name, match.values[i]]));
  if (body === undefined) return fromPath;
  // Anything but an object goes to the schema as sent, which refuses it with its own 400.
  if (!isPlainObject(body)) return body;
  const repeated = parameters.filter((parameter) => Object.hasOwn(body, parameter.name));
  if (repeated.length > 0) {
    const message = "This value is given in the path; do not repeat it in the body.";
    throw requestError("validation/Invalid", undefined, { issues: repeated.map((parameter) => ({ path: [parameter.name], message })) });
  }
  return { ...body, ...fromPath };
}

export interface RestHandlerOptions {
  router: AnyTRPCRouter;
  maxBodySize: number;
  /** The context the tRPC path builds for the same request (createApiHandler's). */
  createContext(req: IncomingMessage, res: ServerResponse): Context;
}

/** An RFC 9457 problem details document of the contract's shape. */
interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  appCode: AppCode;
  detail?: string;
  issues?: { path: (string | number)[]; message: string }[];
  [extension: string]: unknown;
}

/** The problem document for an error (the classified AppError: appCode, message, issues, data). */
function problemOf(error: AppError): ProblemDetails {
  const { appCode } = error;
  const { status, message: title } = errorCatalogue[appCode];
  const problem: ProblemDetails = { type: `${PROBLEM_TYPE_PREFIX}${appCode}`, title, status, appCode };
  // An unexpected fault says nothing more than its title; any other message that says more than
  // the title (which names the kind of problem) is its detail.
  if (appCode !== "server/InternalError" && error.message !== title) problem.detail = error.message;
  if (error.details.issues) problem.issues = error.details.issues;
  // Extensions such as `nextResendAvailableAt`, top-level as RFC 9457 places them; never over a
  // member of the contract's own.
  for (const [name, value] of Object.entries(error.details.data ?? {})) if (!Object.hasOwn(problem, name)) problem[name] = value;
  return problem;
}

/** Answers `error` as problem details (the REST routes, and the plain social routes of http/social.ts). */
export function sendProblem(res: ServerResponse, error: AppError, headers: Record<string, string> = {}): void {
  const problem = problemOf(error);
  const payload = JSON.stringify(problem);
  const extra: Record<string, string> = {};
  if (problem.status === 401) extra["www-authenticate"] = "Bearer";
  const retryAfter = error.details.retryAfterSeconds;
  if (retryAfter !== undefined) extra["retry-after"] = String(Math.max(1, Math.ceil(retryAfter)));
  res.writeHead(problem.status, {
    ...apiHeaders,
    vary: "Origin",
    "content-type": "application/problem+json",
    "content-length": Buffer.byteLength(payload),
    ...extra,
    ...headers,
  });
  res.end(payload);
}

function sendResult(res: ServerResponse, status: number, data: unknown): void {
  // A procedure that answers nothing answers JSON null (none of the contract's does).
  const payload = JSON.stringify(data) ?? "null";
  res.writeHead(status, {
    ...apiHeaders,
    vary: "Origin",
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
  });
  res.end(payload);
}

type RestRequestHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => void;

/**
 * The /api/v1 handler. `pathname` is the request's path without its query string (which REST
 * routes do not read).
 */
export function createRestHandler(options: RestHandlerOptions): RestRequestHandler {
  const matcher = compileRoutes(options.router);
  const createCaller = createCallerFactory(options.router);
  const log = getLogger();

  async function callProcedure(req: IncomingMessage, res: ServerResponse, served: ServedRoute, match: Match): Promise<void> {
    try {
      const input = await inputOf(req, served, match, options.maxBodySize);
      let target: unknown = createCaller(options.createContext(req, res));
      for (const name of served.callerPath) target = (target as Record<string, unknown>)[name];
      const data = await (target as (input: unknown) => Promise<unknown>)(input);
      sendResult(res, served.route.status, data);
    } catch (cause) {
      const error = cause instanceof AppError ? cause : classifyError(getTRPCErrorFromUnknown(cause) as TRPCError);
      if (error.status >= 500) {
        // The request's id as its context carries it (set on the response before anything ran).
        const requestId = res.getHeader(REQUEST_ID_HEADER);
        log.error({ requestId, path: served.route.procedure, appCode: error.appCode, err: error.cause ?? cause }, "request failed");
      }
      // A body left unread (a 413, a 415) is drained by Node after the answer, as on the tRPC path.
      sendProblem(res, error);
    }
  }

  /** CORS as for the client procedures: a tenant's origin may call; credentials are never allowed. */
  async function answerWithCors(req: IncomingMessage, res: ServerResponse, origin: string, match: Match): Promise<void> {
    const allowed = await isAllowedClientOrigin(origin);
    if (allowed) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("access-control-expose-headers", CORS_EXPOSED_HEADERS);
    }
    if (req.method !== "OPTIONS") return dispatch(req, res, match);
    const headers: Record<string, string> = { ...apiHeaders, vary: "Origin", allow: match.entry.allow };
    if (allowed) {
      headers["access-control-allow-methods"] = match.entry.corsMethods;
      headers["access-control-allow-headers"] = CORS_ALLOWED_HEADERS;
      headers["access-control-max-age"] = "600";
    }
    res.writeHead(204, headers);
    res.end();
  }

  function dispatch(req: IncomingMessage, res: ServerResponse, match: Match): Promise<void> {
    const method = req.method ?? "";
    if (method === "OPTIONS") {
      res.writeHead(204, { ...apiHeaders, vary: "Origin", allow: match.entry.allow });
      res.end();
      return Promise.resolve();
    }
    const served = match.entry.methods.get(method);
    if (!served) {
      sendProblem(res, requestError("request/MethodNotAllowed"), { allow: match.entry.allow });
      return Promise.resolve();
    }
    return callProcedure(req, res, served, match);
  }

  return (req, res, pathname) => {
    const match = matchPath(matcher, pathname);
    if (!match) {
      sendProblem(res, requestError("request/NotFound"));
      return;
    }
    const origin = req.headers.origin;
    const answered = origin === undefined ? dispatch(req, res, match) : answerWithCors(req, res, origin, match);
    answered.catch((err: unknown) => {
      // Only a fault outside the procedure lands here (the CORS origins could not be read).
      log.error({ requestId: res.getHeader(REQUEST_ID_HEADER), err }, "rest request failed");
      if (res.headersSent) res.destroy();
      else sendProblem(res, requestError("service/Unavailable"));
    });
  };
}
