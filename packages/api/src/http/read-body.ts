import type { IncomingMessage } from "node:http";

/**
 * A request body as UTF-8 text, decoded as Fetch's `Request.json()` decodes it (BOM dropped),
 * or `tooLarge()` thrown as soon as more than `maxBodySize` bytes arrived. Shared by the lean
 * tRPC adapter and the REST handler, which answer the 413 each in its own error type.
 */
export function readBodyText(req: IncomingMessage, maxBodySize: number, tooLarge: () => Error): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onFail);
      req.off("aborted", onFail);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodySize) {
        chunks.push(chunk);
        return;
      }
      cleanup();
      reject(tooLarge());
    };
    const onEnd = () => {
      cleanup();
      const text = Buffer.concat(chunks, size).toString("utf8");
      resolve(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    };
    const onFail = (cause?: unknown) => {
      cleanup();
      reject(cause instanceof Error ? cause : new Error("request aborted"));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onFail);
    req.on("aborted", onFail);
  });
}
