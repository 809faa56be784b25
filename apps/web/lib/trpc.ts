import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter } from "@gatehouse/api";

/**
 * The browser's tRPC client for BackOffice mutations: same origin (/api/trpc, the front
 * server's tRPC adapter), so the staff session cookie goes along and CSP's connect-src 'self'
 * holds. No transformer, as on the server: plain JSON both ways.
 */
export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

export function createBrowserTrpcClient() {
  return createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: "/api/trpc", fetch: (input, init) => fetch(input, { ...init, credentials: "same-origin" }) })],
  });
}
