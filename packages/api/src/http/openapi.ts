import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { openApiDocument } from "@gatehouse/contract/openapi";
import { getConfig } from "../config";
import { getLogger } from "../lib/log";
import { apiHeaders, sendAppError } from "./respond";
import { swaggerUiDir } from "./swagger-ui-dir.mjs";

/**
 * CONTRACT.md "REST and OpenAPI": `GET /api/openapi.json`, the OpenAPI document of the REST routes
 * (generated from the contract by `@gatehouse/contract/openapi`), and `GET /api/docs`, a reference
 * page that renders it with Swagger UI. Everything the page loads comes from this origin (the
 * swagger-ui-dist bundle is served from node_modules, no CDN, no fonts, no validator badge), under
 * a CSP of its own that allows nothing else.
 */
const OPENAPI_PATH = "/api/openapi.json";
const DOCS_PATH = "/api/docs";
const ASSETS_PATH = `${DOCS_PATH}/`;

/**
 * The docs page's CSP: scripts, styles and fetches from this origin only, nothing inline (Swagger
 * UI styles through CSSOM, which `style-src` does not govern); images also as data: URLs (its
 * icons); never framed.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Swagger UI's options: the document from here, no call to swagger.io's validator, tokens kept in the tab only. */
const initScript = `window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(OPENAPI_PATH)},
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    persistAuthorization: false,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
`;

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gatehouse API reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSETS_PATH}swagger-ui.css">
<link rel="stylesheet" href="${ASSETS_PATH}docs.css">
</head>
<body>
<noscript>This page needs JavaScript. The OpenAPI document it shows is <a href="${OPENAPI_PATH}">${OPENAPI_PATH}</a>.</noscript>
<div id="swagger-ui"></div>
<script src="${ASSETS_PATH}swagger-ui-bundle.js"></script>
<script src="${ASSETS_PATH}docs.js"></script>
</body>
</html>
`;

const pageCss = "body { margin: 0; background: #fafafa; }\n";

interface Asset {
  contentType: string;
  /** `cache-control`: the bundle and the document may be cached a while, the page is revalidated. */
  cacheControl: string;
  body: () => Promise<Buffer>;
}

const text = (value: string) => () => Promise.resolve(Buffer.from(value));
const fromSwaggerUi = (file: string) => () => readFile(path.join(swaggerUiDir(), file));

interface Prepared {
  body: Buffer;
  gzipped: Buffer | undefined;
  etag: string;
}

const gzipAsync = promisify(gzip);

/** Answers /api/openapi.json, /api/docs and the page's files; false for any other path. */
export type OpenApiHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => boolean;

export function createOpenApiHandler(): OpenApiHandler {
  const config = getConfig();
  const assets = new Map<string, Asset>([
    [
      OPENAPI_PATH,
      {
        contentType: "application/json",
        cacheControl: "public, max-age=300",
        // Generated once per process, on first request: the contract does not change while it runs.
        body: () => Promise.resolve(Buffer.from(JSON.stringify(openApiDocument({ serverUrl: config.appUrl })))),
      },
    ],
    [DOCS_PATH, { contentType: "text/html; charset=utf-8", cacheControl: "no-cache", body: text(page) }],
    [
      `${ASSETS_PATH}docs.js`,
      { contentType: "text/javascript; charset=utf-8", cacheControl: "public, max-age=3600", body: text(initScript) },
    ],
    [`${ASSETS_PATH}docs.css`, { contentType: "text/css; charset=utf-8", cacheControl: "public, max-age=3600", body: text(pageCss) }],
    [
      `${ASSETS_PATH}swagger-ui-bundle.js`,
      { contentType: "text/javascript; charset=utf-8", cacheControl: "public, max-age=3600", body: fromSwaggerUi("swagger-ui-bundle.js") },
    ],
    [
      `${ASSETS_PATH}swagger-ui.css`,
      { contentType: "text/css; charset=utf-8", cacheControl: "public, max-age=3600", body: fromSwaggerUi("swagger-ui.css") },
    ],
  ]);
  const prepared = new Map<string, Promise<Prepared>>();

  function prepare(pathname: string, asset: Asset): Promise<Prepared> {
    let entry = prepared.get(pathname);
    if (!entry) {
      entry = (async () => {
        const body = await asset.body();
        // Worth it for the 1.8 MB bundle and the document; the page and its two small files are sent as they are.
        const gzipped = body.length > 1024 ? await gzipAsync(body) : undefined;
        // Weak: the gzipped and the plain bytes are the same content, not the same representation.
        return { body, gzipped, etag: `W/"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"` };
      })();
      // A failed read is tried again on the next request rather than remembered.
      entry.catch(() => prepared.delete(pathname));
      prepared.set(pathname, entry);
    }
    return entry;
  }

  function send(req: IncomingMessage, res: ServerResponse, asset: Asset, file: Prepared, pathname: string): void {
    const headers: Record<string, string | number> = {
      ...apiHeaders,
      "content-type": asset.contentType,
      "cache-control": asset.cacheControl,
      etag: file.etag,
      vary: "Accept-Encoding",
    };
    if (pathname === DOCS_PATH) headers["content-security-policy"] = DOCS_CSP;
    // The document is public, like the JWKS: tools on any origin may read it.
    if (pathname === OPENAPI_PATH) headers["access-control-allow-origin"] = "*";
    const ifNoneMatch = req.headers["if-none-match"]?.split(",").map((tag) => tag.trim());
    if (ifNoneMatch?.includes(file.etag) || ifNoneMatch?.includes("*")) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const useGzip = file.gzipped !== undefined && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
    const body = useGzip ? file.gzipped! : file.body;
    if (useGzip) headers["content-encoding"] = "gzip";
    headers["content-length"] = body.length;
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : body);
  }

  return (req, res, pathname) => {
    const asset = assets.get(pathname);
    if (!asset) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendAppError(res, "request/MethodNotAllowed", undefined);
      return true;
    }
    prepare(pathname, asset).then(
      (file) => send(req, res, asset, file, pathname),
      (err: unknown) => {
        getLogger().error({ err, path: pathname }, "API documentation unavailable");
        sendAppError(res, "service/Unavailable", undefined);
      },
    );
    return true;
  };
}
