import { randomUUID } from "node:crypto";
import { getUntypedClient } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppCode as ServerCatalogueCode } from "@gatehouse/api";
import { getPrisma } from "@gatehouse/db";
import {
  createGatehouseClient,
  GatehouseError,
  isAppCode,
  isGatehouseError,
  toGatehouseError,
  type ApiResult,
  type GatehouseTRPCError,
  type ServerAppCode,
} from "../src";
import { createTenant, hasRedis, newClient, PASSWORD, signUpWith, startGatehouse, unique, type Gatehouse } from "./support";

// The SDK's list of server appCodes is the server's catalogue, no more and no less.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const catalogueMatches: Same<ServerCatalogueCode, ServerAppCode> = true;

let gatehouse: Gatehouse;
let tenantKey: string;

beforeAll(async () => {
  if (!hasRedis) return;
  // A small verification budget so rateLimit/TooManyRequests is reachable in a few calls.
  gatehouse = await startGatehouse({ OTP_FAILURES_PER_HOUR: "3", OTP_MAX_ATTEMPTS: "10" });
  tenantKey = (await createTenant()).key;
});
afterAll(async () => {
  await gatehouse?.close();
});

type Case = {
  appCode: ServerAppCode | "network/Unavailable" | "network/UnexpectedResponse";
  status: number;
  run: () => Promise<ApiResult<unknown>>;
};

/** Every error an end-user call can get, provoked through the SDK against the real server. */
function cases(): Case[] {
  const signedUp = async () => {
    const client = newClient(gatehouse);
    const user = await signUpWith(client, tenantKey);
    return { client, user };
  };
  return [
    {
      appCode: "validation/Invalid",
      status: 400,
      run: async () => {
        const res = await newClient(gatehouse).ClientAuth.signUp({
          body: { tenantKey, userId: "x", password: PASSWORD, displayName: "A", email: "a@example.com" },
        });
        expect(res.error?.issues?.map((issue) => issue.path)).toContainEqual(["userId"]);
        return res;
      },
    },
    {
      appCode: "request/Malformed",
      status: 400,
      run: () => {
        const client = newClient(gatehouse);
        client.recorder.tamper = (url, init) => ({ url, init: { ...init, body: "{not json" } });
        return client.ClientAuth.signIn({ body: { tenantKey, userId: "someone", password: "whatever" } });
      },
    },
    {
      appCode: "signUp/EmailDomainNotAllowed",
      status: 400,
      run: async () => {
        const tenant = await createTenant({ allowedEmailDomains: ["example.com"] });
        return newClient(gatehouse).ClientAuth.signUp({
          body: { tenantKey: tenant.key, userId: unique("u").slice(0, 20), password: PASSWORD, displayName: "A", email: "a@elsewhere.org" },
        });
      },
    },
    { appCode: "auth/Unauthenticated", status: 401, run: () => newClient(gatehouse).ClientAuth.me() },
    {
      appCode: "auth/InvalidCredentials",
      status: 401,
      run: () => newClient(gatehouse).ClientAuth.signIn({ body: { tenantKey, userId: unique("nobody"), password: "wrong-password" } }),
    },
    {
      appCode: "auth/InvalidRefreshToken",
      status: 401,
      run: () => newClient(gatehouse).ClientAuth.refresh({ body: { refreshToken: "not-a-family.not-a-secret" } }),
    },
    {
      appCode: "emailVerification/InvalidCode",
      status: 401,
      run: async () => {
        const { client, user } = await signedUp();
        await client.ClientEmailVerification.sendVerification({ body: { email: user.email } });
        const wrong = gatehouse.smtp.latestCode(user.email) === "123456" ? "654321" : "123456";
        return client.ClientEmailVerification.verifyEmail({ body: { code: wrong } });
      },
    },
    {
      appCode: "auth/EmailNotVerified",
      status: 403,
      run: async () => (await signedUp()).client.ClientAuth.updateMe({ body: { displayName: "Unverified" } }),
    },
    {
      appCode: "auth/PasswordChangeRequired",
      status: 403,
      run: async () => {
        const { client, user } = await signedUp();
        await getPrisma().user.update({ where: { id: user.user.id }, data: { mustChangePassword: true } });
        return client.ClientAuth.updateMe({ body: { displayName: "Blocked" } });
      },
    },
    {
      appCode: "auth/AccountSuspended",
      status: 403,
      run: async () => {
        const { client, user } = await signedUp();
        await getPrisma().user.update({ where: { id: user.user.id }, data: { suspendedAt: new Date() } });
        return client.ClientAuth.signIn({ body: { tenantKey, userId: user.userId, password: PASSWORD } });
      },
    },
    {
      appCode: "tenant/NotFound",
      status: 404,
      run: () =>
        newClient(gatehouse).ClientAuth.signIn({ body: { tenantKey: unique("missing"), userId: "someone", password: "whatever" } }),
    },
    {
      appCode: "session/NotFound",
      status: 404,
      run: async () => (await signedUp()).client.ClientAuth.revokeSession({ body: { id: randomUUID() } }),
    },
    {
      appCode: "request/NotFound",
      status: 404,
      run: async () => {
        const untyped = getUntypedClient(newClient(gatehouse).trpc);
        try {
          return { data: await untyped.query("clientAuth.noSuchProcedure"), error: undefined };
        } catch (error) {
          return { data: undefined, error: toGatehouseError(error) };
        }
      },
    },
    {
      appCode: "request/MethodNotAllowed",
      status: 405,
      run: () => {
        const client = newClient(gatehouse);
        client.recorder.tamper = (url, init) => ({ url, init: { ...init, method: "PUT" } });
        return client.ClientAuth.signIn({ body: { tenantKey, userId: "someone", password: "whatever" } });
      },
    },
    {
      appCode: "user/UserIdDuplicated",
      status: 409,
      run: async () => {
        const { user } = await signedUp();
        return newClient(gatehouse).ClientAuth.signUp({
          body: { tenantKey, userId: user.userId, password: PASSWORD, displayName: "Twin", email: "twin@example.com" },
        });
      },
    },
    {
      appCode: "user/EmailDuplicated",
      status: 409,
      run: async () => {
        const first = await signedUp();
        await first.client.ClientEmailVerification.sendVerification({ body: { email: first.user.email } });
        const verified = await first.client.ClientEmailVerification.verifyEmail({
          body: { code: gatehouse.smtp.latestCode(first.user.email) },
        });
        expect(verified.error).toBeUndefined();
        const second = await signedUp();
        return second.client.ClientEmailVerification.sendVerification({ body: { email: first.user.email } });
      },
    },
    {
      appCode: "request/PayloadTooLarge",
      status: 413,
      run: () => newClient(gatehouse).ClientAuth.signIn({ body: { tenantKey, userId: "someone", password: "x".repeat(70 * 1024) } }),
    },
    {
      appCode: "request/UnsupportedMediaType",
      status: 415,
      run: () => {
        const client = newClient(gatehouse);
        client.recorder.tamper = (url, init) => ({
          url,
          init: { ...init, headers: { ...(init.headers as Record<string, string>), "content-type": "text/plain" } },
        });
        return client.ClientAuth.signIn({ body: { tenantKey, userId: "someone", password: "whatever" } });
      },
    },
    {
      appCode: "emailVerification/CooldownActive",
      status: 429,
      run: async () => {
        const { client, user } = await signedUp();
        expect((await client.ClientEmailVerification.sendVerification({ body: { email: user.email } })).error).toBeUndefined();
        const res = await client.ClientEmailVerification.sendVerification({ body: { email: user.email } });
        const error = res.error;
        if (error?.appCode !== "emailVerification/CooldownActive") throw new Error(`expected a cooldown, got ${error?.appCode}`);
        // Typed by the appCode: exactly the field the contract promises, a timestamp to come.
        expect(error.data).toEqual({ nextResendAvailableAt: expect.any(String) });
        expect(Date.parse(error.data.nextResendAvailableAt)).toBeGreaterThan(Date.now());
        expect(error.retryAfterSeconds).toBeGreaterThan(0);
        return res;
      },
    },
    {
      appCode: "rateLimit/TooManyRequests",
      status: 429,
      run: async () => {
        const { client, user } = await signedUp();
        await client.ClientEmailVerification.sendVerification({ body: { email: user.email } });
        const wrong = gatehouse.smtp.latestCode(user.email) === "111111" ? "222222" : "111111";
        let res: ApiResult<unknown> | undefined;
        // Budget 3: three wrong codes are 401, the fourth try is over it.
        for (let i = 0; i < 4; i++) res = await client.ClientEmailVerification.verifyEmail({ body: { code: wrong } });
        expect(res!.error?.retryAfterSeconds).toBeGreaterThan(0);
        return res!;
      },
    },
    {
      appCode: "service/Unavailable",
      status: 503,
      run: async () => {
        const { client, user } = await signedUp();
        gatehouse.smtp.refuse = true;
        try {
          return await client.ClientEmailVerification.sendVerification({ body: { email: user.email } });
        } finally {
          gatehouse.smtp.refuse = false;
        }
      },
    },
    {
      appCode: "network/Unavailable",
      status: 0,
      run: () =>
        createGatehouseClient({ baseUrl: "http://127.0.0.1:9" }).ClientAuth.signIn({ body: { tenantKey, userId: "a", password: "b" } }),
    },
    {
      appCode: "network/UnexpectedResponse",
      status: 502,
      run: () => {
        const client = newClient(gatehouse);
        client.recorder.tamper = () => new Response("<html>Bad gateway</html>", { status: 502, headers: { "content-type": "text/html" } });
        return client.ClientAuth.signIn({ body: { tenantKey, userId: "someone", password: "whatever" } });
      },
    },
  ];
}

describe.skipIf(!hasRedis)("every contract error reaches res.error", () => {
  it("lists the server's catalogue exactly", () => {
    expect(catalogueMatches).toBe(true);
  });

  for (const { appCode, status, run } of hasRedis ? cases() : []) {
    it(`${appCode} (${status})`, async () => {
      const res = await run();
      expect(res.data).toBeUndefined();
      expect(res.error).toBeInstanceOf(GatehouseError);
      expect(res.error).toMatchObject({ appCode, status });
      expect(res.error!.message).toEqual(expect.any(String));
      expect(res.error!.message.length).toBeGreaterThan(0);
      // The code as sent is the code itself (none for the SDK's own); only the cooldown has data,
      // only validation has issues.
      expect(res.error!.serverAppCode).toBe(appCode.startsWith("network/") ? undefined : appCode);
      if (appCode !== "emailVerification/CooldownActive") expect(res.error!.data).toBeUndefined();
      if (appCode === "validation/Invalid") expect(res.error!.issues).toEqual(expect.any(Array));
      else expect(res.error!.issues).toBeUndefined();
    });
  }

  it("gives the tRPC client's rejections a typed data.appCode, and toGatehouseError the same code", async () => {
    const error = await newClient(gatehouse)
      .trpc.clientAuth.me.query()
      .then(
        () => undefined,
        (caught: GatehouseTRPCError) => caught,
      );
    expect(error?.data?.appCode).toBe("auth/Unauthenticated");
    expect(toGatehouseError(error, "clientAuth.me")).toMatchObject({ appCode: "auth/Unauthenticated", status: 401 });
  });

  it("never throws for an API error, and res.error can be thrown as an Error", async () => {
    const res = await newClient(gatehouse).ClientAuth.me();
    expect(() => {
      if (res.error) throw res.error;
    }).toThrowError(GatehouseError);
  });

  it("reports an aborted call as network/Aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const res = await newClient(gatehouse).ClientAuth.signIn({
      body: { tenantKey, userId: "a", password: "b" },
      signal: controller.signal,
    });
    expect(res.error).toMatchObject({ appCode: "network/Aborted", status: 0 });
  });
});

/** A client whose every call gets this error answer, as a (newer) server would send it. */
function answering(status: number, data: Record<string, unknown>, headers: Record<string, string> = {}) {
  const body = { error: { message: "Said by the server.", code: -32600, data: { code: "BAD_REQUEST", httpStatus: status, ...data } } };
  return createGatehouseClient({
    baseUrl: "http://gatehouse.invalid",
    locks: null,
    fetch: async () => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } }),
  });
}

describe("answers this SDK cannot type", () => {
  it("an appCode newer than the SDK is client/UnexpectedAppCode, with the code, status, message and fields as sent", async () => {
    const client = answering(451, { appCode: "legal/Blocked", path: "clientAuth.signIn", until: "2031-01-01" }, { "retry-after": "7" });
    const res = await client.ClientAuth.signIn({ body: { tenantKey: "acme", userId: "ada", password: "a-long-passphrase" } });
    client.dispose();
    expect(res.error).toBeInstanceOf(GatehouseError);
    expect(res.error).toMatchObject({
      appCode: "client/UnexpectedAppCode",
      serverAppCode: "legal/Blocked",
      status: 451,
      message: "Said by the server.",
      data: { until: "2031-01-01" },
      retryAfterSeconds: 7,
      path: "clientAuth.signIn",
      issues: undefined,
    });
    expect(isAppCode(res.error?.serverAppCode)).toBe(false);
  });

  it("a catalogue code the procedure does not declare is client/UnexpectedAppCode for its facade, the code itself untyped", async () => {
    const client = answering(429, {
      appCode: "emailVerification/CooldownActive",
      path: "clientAuth.me",
      nextResendAvailableAt: "2031-01-01T00:00:00.000Z",
    });
    const res = await client.ClientAuth.me();
    expect(res.error).toMatchObject({
      appCode: "client/UnexpectedAppCode",
      serverAppCode: "emailVerification/CooldownActive",
      status: 429,
    });
    const rejection: unknown = await client.trpc.clientAuth.me.query().catch((caught: unknown) => caught);
    client.dispose();
    expect(toGatehouseError(rejection)).toMatchObject({
      appCode: "emailVerification/CooldownActive",
      data: { nextResendAvailableAt: "2031-01-01T00:00:00.000Z" },
    });
    expect(toGatehouseError(rejection, "clientAuth.me")).toMatchObject({ appCode: "client/UnexpectedAppCode" });
    // An error already made is retyped for a procedure the same way.
    expect(toGatehouseError(toGatehouseError(rejection), "clientAuth.me")).toMatchObject({
      appCode: "client/UnexpectedAppCode",
      serverAppCode: "emailVerification/CooldownActive",
    });
    expect(toGatehouseError(toGatehouseError(rejection), "clientEmailVerification.sendVerification")).toMatchObject({
      appCode: "emailVerification/CooldownActive",
    });
  });

  it("a code whose promised data is missing is client/UnexpectedAppCode, not a cooldown without its time", async () => {
    const client = answering(429, { appCode: "emailVerification/CooldownActive", path: "clientEmailVerification.sendVerification" });
    const res = await client.ClientEmailVerification.sendVerification({ body: { email: "ada@example.com" } });
    client.dispose();
    expect(res.error).toMatchObject({
      appCode: "client/UnexpectedAppCode",
      serverAppCode: "emailVerification/CooldownActive",
      data: undefined,
    });
  });

  it("a code without data fields has none, even when a newer server adds some (they stay on the cause)", async () => {
    const client = answering(401, { appCode: "auth/InvalidCredentials", path: "clientAuth.signIn", hint: "try again" });
    const res = await client.ClientAuth.signIn({ body: { tenantKey: "acme", userId: "ada", password: "a-long-passphrase" } });
    client.dispose();
    expect(res.error).toMatchObject({ appCode: "auth/InvalidCredentials", serverAppCode: "auth/InvalidCredentials", status: 401 });
    expect(res.error?.data).toBeUndefined();
    expect((res.error?.cause as GatehouseTRPCError).data).toMatchObject({ hint: "try again" });
  });

  it("validation/Invalid without issues has an empty list", async () => {
    const client = answering(400, { appCode: "validation/Invalid", path: "clientAuth.signIn" });
    const res = await client.ClientAuth.signIn({ body: { tenantKey: "acme", userId: "ada", password: "a-long-passphrase" } });
    client.dispose();
    expect(res.error).toMatchObject({ appCode: "validation/Invalid", issues: [] });
  });
});

describe("isAppCode and instanceof", () => {
  it("isAppCode knows the server's catalogue and the SDK's codes, nothing else", () => {
    for (const code of ["auth/InvalidCredentials", "request/Malformed", "network/Unavailable", "client/UnexpectedAppCode"]) {
      expect(isAppCode(code), code).toBe(true);
    }
    for (const value of ["auth/InvalidCredential", "AUTH/INVALIDCREDENTIALS", "", "toString", "__proto__", 42, null, undefined, {}]) {
      expect(isAppCode(value), String(value)).toBe(false);
    }
  });

  it("instanceof follows the prototype chain as before", () => {
    const made = new GatehouseError({ appCode: "auth/Unauthenticated", status: 401, message: "Sign in." });
    expect(made).toBeInstanceOf(GatehouseError);
    expect(made).toBeInstanceOf(Error);
    expect(isGatehouseError(made)).toBe(true);
    expect(made.serverAppCode).toBe("auth/Unauthenticated");
    expect(new Error("x") instanceof GatehouseError).toBe(false);
    expect(Object.create(GatehouseError.prototype as object) instanceof GatehouseError).toBe(true);
    class Wrapped extends GatehouseError {}
    const wrapped = new Wrapped({ appCode: "network/Aborted", status: 0, message: "Aborted." });
    expect(wrapped instanceof GatehouseError && wrapped instanceof Wrapped).toBe(true);
    expect(made instanceof Wrapped).toBe(false);
  });
});
