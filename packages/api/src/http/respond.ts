import type { ServerResponse } from "node:http";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import { errorCatalogue, trpcCodeFor, type AppCode } from "../errors";

/** Headers on every API answer. */
export const apiHeaders: Record<string, string> = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...apiHeaders,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

/** An error in the contract's shape for answers given outside tRPC (unknown routes). */
export function sendAppError(res: ServerResponse, appCode: AppCode, path: string | undefined, message?: string): void {
  const trpcCode = trpcCodeFor(appCode);
  const status = errorCatalogue[appCode].status;
  sendJson(res, status, {
    error: {
      message: message ?? errorCatalogue[appCode].message,
      code: TRPC_ERROR_CODES_BY_KEY[trpcCode],
      data: { code: trpcCode, httpStatus: status, path, appCode },
    },
  });
}
