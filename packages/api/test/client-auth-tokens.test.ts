import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
  type JWTPayload,
} from "jose";
import { getPrisma } from "@gatehouse/db";
import { currentSigningKey, keyRing, rotateSigningKey } from "../src/services/signing-keys";
import { issueAccessToken } from "../src/services/tokens";
import { auditEvents, claimsOf, expectError, hasRedis, kidOf, sidOf, signInUser, signUpUser, sleep, useServer, type SignedUp } from "./kit";

const run = promisify(execFile);
const apiDir = fileURLToPath(new URL("..", import.meta.url));
// The contract's claims plus jti (README "Contract changelog").
const CONTRACT_CLAIMS = ["aud", "ev", "exp", "iat", "iss", "jti", "pcr", "role", "sid", "src", "sub", "tid", "tkey"];

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe.skipIf(!hasRedis)("access tokens and signing keys", () => {
  // Short key timings so a rotation can be watched end to end without a restart.
  const suite = useServer({ env: { SIGNING_KEY_ACTIVATION_DELAY_SECONDS: "1", SIGNING_KEY_REFRESH_SECONDS: "1" } });
  const { client, tenantKey } = suite;
  let u: SignedUp;

  beforeAll(async () => {
    u = await signUpUser(client, tenantKey);
  });

  const jwks = async () => {
    const res = await fetch(`${suite.server.url}/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    return { body: (await res.json()) as JSONWebKeySet, cacheControl: res.headers.get("cache-control") };
  };
  const verifyLocally = async (token: string) =>
    jwtVerify(token, createLocalJWKSet((await jwks()).body), {
      issuer: suite.server.config.appUrl,
      audience: "gatehouse",
      algorithms: ["EdDSA"],
    });
  const me = (token: string) => client.as(token).clientAuth.me.query();

  it("carries exactly the contract's claims, EdDSA with a kid, and verifies with jose against the published JWKS", async () => {
    const { body, cacheControl } = await jwks();
    expect(cacheControl).toContain("max-age=300");
    expect(body.keys.length).toBeGreaterThan(0);
    for (const key of body.keys) {
      expect(key).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig", kid: expect.any(String), x: expect.any(String) });
      expect(key).not.toHaveProperty("d");
    }

    const token = u.session.accessToken;
    const { payload, protectedHeader } = await verifyLocally(token);
    expect(Object.keys(payload).sort()).toEqual(CONTRACT_CLAIMS);
    const session = await getPrisma().session.findFirstOrThrow({ where: { userId: u.session.user.id } });
    expect(payload).toEqual({
      iss: suite.server.config.appUrl,
      aud: "gatehouse",
      sub: u.session.user.id,
      tid: suite.tenant.id,
      tkey: tenantKey,
      sid: session.id,
      role: "member",
      src: "self_signup",
      ev: false,
      pcr: false,
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    });
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(60);
    expect(protectedHeader.alg).toBe("EdDSA");
    expect(body.keys.map((k) => k.kid)).toContain(protectedHeader.kid);
    expect(Date.parse(u.session.accessTokenExpiresAt)).toBe(payload.exp! * 1000);

    // A product app fetching the JWKS over HTTP, as jose's remote set does.
    const remote = createRemoteJWKSet(new URL(`${suite.server.url}/.well-known/jwks.json`));
    const verified = await jwtVerify(token, remote, { issuer: suite.server.config.appUrl, audience: "gatehouse" });
    expect(verified.payload.sub).toBe(u.session.user.id);
  });

  it("gives every token its own jti: two minted in the same second for one session differ, and both work", async () => {
    const user = await getPrisma().user.findUniqueOrThrow({ where: { id: u.session.user.id } });
    const subject = {
      user: {
        id: user.id,
        role: user.role,
        source: user.source,
        emailVerifiedAt: user.emailVerifiedAt,
        mustChangePassword: user.mustChangePassword,
      },
      tenant: { id: suite.tenant.id, key: suite.tenant.key },
      sessionId: sidOf(u.session.accessToken),
    };
    // Two in a row share their second unless they straddle a boundary; then mint again.
    let pair: [string, string] | undefined;
    for (let attempt = 0; attempt < 5 && !pair; attempt++) {
      const [a, b] = [(await issueAccessToken(subject)).accessToken, (await issueAccessToken(subject)).accessToken];
      if (claimsOf(a).iat === claimsOf(b).iat) pair = [a, b];
    }
    if (!pair) throw new Error("no two tokens in the same second");
    const [a, b] = pair;
    expect(b).not.toBe(a);
    const { jti } = claimsOf(a);
    expect(jti).toMatch(/^[A-Za-z0-9_-]{22}$/); // 128 random bits, base64url
    expect(claimsOf(b).jti).not.toBe(jti);
    expect({ ...claimsOf(b), jti }).toEqual(claimsOf(a)); // only the jti tells them apart
    expect((await me(a)).user.id).toBe(user.id);
    expect((await me(b)).user.id).toBe(user.id);
  });

  describe("refused with 401 auth/Unauthenticated", () => {
    /** Signs `claims` with the server's own current key (the positive control) unless told otherwise. */
    async function forge(overrides: JWTPayload = {}, header: Record<string, unknown> = {}) {
      const { kid, key } = await currentSigningKey();
      const claims = { ...claimsOf(u.session.accessToken), ...overrides };
      return new SignJWT(claims).setProtectedHeader({ alg: "EdDSA", kid, typ: "JWT", ...header }).sign(key);
    }

    it("the control: a token built this way with the real claims is accepted", async () => {
      await me(await forge());
    });

    it("a tampered signature or payload", async () => {
      const [header, payload, signature] = u.session.accessToken.split(".") as [string, string, string];
      const i = 20; // well inside the signature (the last character carries padding bits)
      const flipped = `${signature.slice(0, i)}${signature[i] === "A" ? "B" : "A"}${signature.slice(i + 1)}`;
      await expectError(me(`${header}.${payload}.${flipped}`), "auth/Unauthenticated");
      const elevated = b64({ ...claimsOf(u.session.accessToken), role: "manager" });
      await expectError(me(`${header}.${elevated}.${signature}`), "auth/Unauthenticated");
      await expectError(me(`${header}.${payload}.`), "auth/Unauthenticated");
    });

    it("alg none, and an HMAC token", async () => {
      const { kid } = await currentSigningKey();
      const payload = b64(claimsOf(u.session.accessToken));
      await expectError(me(`${b64({ alg: "none", typ: "JWT" })}.${payload}.`), "auth/Unauthenticated");
      await expectError(me(`${b64({ alg: "none", kid })}.${payload}.`), "auth/Unauthenticated");
      const hmac = await new SignJWT(claimsOf(u.session.accessToken))
        .setProtectedHeader({ alg: "HS256", kid })
        .sign(new TextEncoder().encode("a-guessable-shared-secret-of-32-bytes!"));
      await expectError(me(hmac), "auth/Unauthenticated");
    });

    it("an unknown kid, and a known kid over a foreign key", async () => {
      const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
      const { kid } = await currentSigningKey();
      const sign = (k: string) =>
        new SignJWT(claimsOf(u.session.accessToken)).setProtectedHeader({ alg: "EdDSA", kid: k }).sign(privateKey);
      await expectError(me(await sign("no-such-kid")), "auth/Unauthenticated");
      await expectError(me(await sign(kid)), "auth/Unauthenticated");
      const noKid = await new SignJWT(claimsOf(u.session.accessToken)).setProtectedHeader({ alg: "EdDSA" }).sign(privateKey);
      await expectError(me(noKid), "auth/Unauthenticated");
    });

    it("a wrong audience or issuer, an expired token, a missing claim", async () => {
      const now = Math.floor(Date.now() / 1000);
      await expectError(me(await forge({ aud: "another-app" })), "auth/Unauthenticated");
      await expectError(me(await forge({ iss: "https://evil.example" })), "auth/Unauthenticated");
      await expectError(me(await forge({ iat: now - 7200, exp: now - 5 })), "auth/Unauthenticated");
      await expectError(me(await forge({ sid: undefined })), "auth/Unauthenticated");
      await expectError(me(await forge({ exp: undefined })), "auth/Unauthenticated");
    });

    it("a validly signed token whose sub is not the session's user", async () => {
      const other = await signUpUser(client, tenantKey);
      await expectError(me(await forge({ sub: other.session.user.id })), "auth/Unauthenticated");
    });
  });

  describe("rotation without a restart", () => {
    it("rotateSigningKey(): published at once, old tokens keep verifying, new tokens carry the new kid after the delay", async () => {
      const oldToken = (await signInUser(client, u)).accessToken;
      const oldKid = kidOf(oldToken)!;
      const rotated = await rotateSigningKey();
      expect(rotated.kid).not.toBe(oldKid);
      expect(rotated.activatesAt.getTime() - Date.now()).toBeGreaterThan(500);
      expect(rotated.activatesAt.getTime() - Date.now()).toBeLessThanOrEqual(1000);

      const published = (await jwks()).body.keys.map((k) => k.kid);
      expect(published).toContain(rotated.kid);
      expect(published).toContain(oldKid);

      const early = await signInUser(client, u);
      if (Date.now() < rotated.activatesAt.getTime() - 100) expect(kidOf(early.accessToken)).toBe(oldKid);

      await sleep(Math.max(0, rotated.activatesAt.getTime() - Date.now()) + 50);
      const late = await signInUser(client, u);
      expect(kidOf(late.accessToken)).toBe(rotated.kid);
      await me(late.accessToken);
      expect((await verifyLocally(late.accessToken)).protectedHeader.kid).toBe(rotated.kid);
      // The retired key stays published and its tokens stay good.
      await me(oldToken);
      expect((await verifyLocally(oldToken)).protectedHeader.kid).toBe(oldKid);
      const retired = await getPrisma().signingKey.findUniqueOrThrow({ where: { id: oldKid } });
      expect(retired.retiredAt?.getTime()).toBe(rotated.activatesAt.getTime());
      expect(retired.publishUntil!.getTime()).toBeGreaterThanOrEqual(rotated.activatesAt.getTime() + 3600_000);
    });

    it("a key another process just wrote is in the JWKS at once, however fresh this server's key cache is", async () => {
      const { publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
      const kid = `elsewhere-${Date.now()}`;
      await keyRing({ force: true }); // the cache is brand new: no refresh would be due for a second
      // Never signs (activates in a day), so no private part is needed.
      await getPrisma().signingKey.create({
        data: {
          id: kid,
          alg: "EdDSA",
          publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" },
          privateJwkEncrypted: "v1.unused",
          activatesAt: new Date(Date.now() + 86400_000),
        },
      });
      try {
        expect((await jwks()).body.keys.map((k) => k.kid)).toContain(kid);
      } finally {
        await getPrisma().signingKey.delete({ where: { id: kid } });
      }
      expect((await jwks()).body.keys.map((k) => k.kid)).not.toContain(kid);
    });

    it("pnpm keys:rotate against this database: the running server publishes the key at once and signs with it after the delay", async () => {
      const before = (await signInUser(client, u)).accessToken;
      const { stdout } = await run(process.execPath, ["--import", "tsx", "src/cli/keys-rotate.ts"], {
        cwd: apiDir,
        env: { ...process.env, SIGNING_KEY_ACTIVATION_DELAY_SECONDS: "2" },
      });
      const match = /New signing key (\S+): published now, signs from (\S+) /.exec(stdout);
      expect(match, stdout).not.toBeNull();
      const [, kid, from] = match as unknown as [string, string, string];
      const activatesAt = Date.parse(from);

      // Published at once (no refresh interval to wait for).
      expect((await jwks()).body.keys.map((k) => k.kid)).toContain(kid);
      const row = await getPrisma().signingKey.findUniqueOrThrow({ where: { id: kid } });
      expect(row.activatesAt.getTime()).toBe(activatesAt);
      const events = await getPrisma().auditEvent.findMany({ where: { action: "signingKey.rotated", target: `signingKey:${kid}` } });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ actorType: "system", tenantKey: null });

      if (Date.now() < activatesAt - 100) expect(kidOf((await signInUser(client, u)).accessToken)).not.toBe(kid);
      // The server re-reads its keys every SIGNING_KEY_REFRESH_SECONDS (1 s here).
      await sleep(Math.max(0, activatesAt - Date.now()) + 1100);
      let latest = "";
      for (let i = 0; i < 20 && latest !== kid; i++) {
        latest = kidOf((await signInUser(client, u)).accessToken)!;
        if (latest !== kid) await sleep(100);
      }
      expect(latest).toBe(kid);
      await me(before);
      await verifyLocally(before);
    });

    it("pnpm keys:rotate without DATABASE_URL and AUTH_SECRET: one line on stderr naming them, exit 1, nothing rotated", async () => {
      const count = await getPrisma().signingKey.count();
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.DATABASE_URL;
      delete env.AUTH_SECRET;
      const failure = await run(process.execPath, ["--import", "tsx", "src/cli/keys-rotate.ts"], { cwd: apiDir, env }).then(
        () => undefined,
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stdout).toBe("");
      expect(failure?.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^keys:rotate: .*DATABASE_URL.*AUTH_SECRET/)]);
      expect(await getPrisma().signingKey.count()).toBe(count);
      expect((await auditEvents(tenantKey, "signingKey.rotated")).length).toBe(0);
    });
  });
});
