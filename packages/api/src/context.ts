import { randomUUID } from "node:crypto";
import { getRuntime, type Runtime } from "./runtime";

/** Per-request facts every procedure may need; auth state is resolved by middlewares. */
export interface Context {
  requestId: string;
  /**
   * The process's dependencies (config, database, Redis, mailer, logger, limiters, key ring).
   * @internal: left out of the SDK's declarations (packages/client/scripts/build.mjs strips
   * internal members), which must name no server package.
   */
  runtime: Runtime;
  /** Client IP as decided by the front server (socket, or X-Forwarded-For under TRUST_PROXY). */
  ip: string;
  userAgent: string | null;
  /** Reads a request header (lower-case name). */
  header(name: string): string | undefined;
  /** Sets a response header, where there is a response (not for server-side callers). */
  setHeader?(name: string, value: string): void;
}

export interface CreateContextInput {
  ip: string;
  headers: Headers | Record<string, string | string[] | undefined>;
  requestId?: string;
  setHeader?: (name: string, value: string) => void;
}

export function createContext(input: CreateContextInput): Context {
  const { headers } = input;
  const header =
    headers instanceof Headers
      ? (name: string) => headers.get(name) ?? undefined
      : (name: string) => {
          const value = headers[name];
          return Array.isArray(value) ? value[0] : value;
        };
  const userAgent = header("user-agent");
  return {
    requestId: input.requestId ?? randomUUID(),
    runtime: getRuntime(),
    ip: input.ip,
    userAgent: userAgent ? userAgent.slice(0, 512) : null,
    header,
    setHeader: input.setHeader,
  };
}
