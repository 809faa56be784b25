import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatehouseClient, type GatehouseClient, type StoredTokens } from "../src";
import { memoryTokenStore } from "../src/token-store";

/** A server that accepts connections and never answers (a hung proxy or backend). */
let hung: Server;
let hungUrl: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  hung = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
  const address = hung.address();
  if (!address || typeof address === "string") throw new Error("no port");
  hungUrl = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => hung.close(resolve));
});

/**
 * The call's outcome, or "still waiting" if it has none after 10 s: without a deadline a call
 * to the hung server would wait forever, and the test should say so rather than time out.
 */
async function settled<T>(call: Promise<T>): Promise<T | "still waiting"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waiting = new Promise<"still waiting">((resolve) => (timer = setTimeout(() => resolve("still waiting"), 10_000)));
  try {
    return await Promise.race([call, waiting]);
  } finally {
    clearTimeout(timer);
  }
}

const expired: StoredTokens = {
  accessToken: "an-access-token-that-has-expired",
  accessTokenExpiresAt: new Date(Date.now() - 60_000).toISOString(),
  refreshToken: "family.secret",
  refreshTokenExpiresAt: null,
};

const clients: GatehouseClient[] = [];
function hungClient(options: { timeoutMs?: number; tokens?: StoredTokens } = {}) {
  const client = createGatehouseClient({
    baseUrl: hungUrl,
    tokenStore: memoryTokenStore(options.tokens ?? null),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  clients.push(client);
  return client;
}
afterAll(() => {
  for (const client of clients) client.dispose();
});

describe("a server that never answers", () => {
  it("ends a call after the client's timeoutMs with network/Timeout", async () => {
    const client = hungClient({ timeoutMs: 300 });
    const res = await settled(client.ClientAuth.signIn({ body: { tenantKey: "acme", userId: "someone", password: "whatever" } }));
    expect(res).toMatchObject({ data: undefined, error: { appCode: "network/Timeout", status: 0 } });
  });

  it("ends a call after its own timeoutMs, which overrides the client's", async () => {
    const client = hungClient({ timeoutMs: 0 });
    const res = await settled(client.ClientAuth.me({ timeoutMs: 200 }));
    expect(res).toMatchObject({ error: { appCode: "network/Timeout", status: 0 } });
  });

  it("reports the caller's abort as network/Aborted, not as a timeout, even while the call waits for a refresh", async () => {
    const client = hungClient({ timeoutMs: 5_000, tokens: expired });
    const controller = new AbortController();
    const call = client.ClientAuth.me({ signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    expect(await settled(call)).toMatchObject({ error: { appCode: "network/Aborted", status: 0 } });
  });

  it("times refreshes out too, keeping the session", async () => {
    const client = hungClient({ timeoutMs: 200, tokens: expired });
    expect(await settled(client.hooks.refresh().catch((error: unknown) => error))).toMatchObject({ appCode: "network/Timeout" });
    expect(await settled(client.ClientAuth.refresh())).toMatchObject({ error: { appCode: "network/Timeout", status: 0 } });
    // An automatic refresh before a call: it times out, the call is tried with the old token and times out too.
    expect(await settled(client.ClientAuth.me())).toMatchObject({ error: { appCode: "network/Timeout", status: 0 } });
    expect(await client.hooks.getTokens()).toEqual(expired);
  });

  it("applies through the typed tRPC client as well", async () => {
    const client = hungClient({ timeoutMs: 200 });
    const error = await settled(client.trpc.clientAuth.me.query().catch((e: unknown) => e));
    expect(error).toMatchObject({ name: "TRPCClientError", cause: { name: "TimeoutError" } });
  });
});

describe("timeoutMs", () => {
  it("must be a number of milliseconds ≥ 0", () => {
    for (const timeoutMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createGatehouseClient({ baseUrl: hungUrl, timeoutMs })).toThrow(RangeError);
    }
  });
});
