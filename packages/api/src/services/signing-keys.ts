import { randomBytes } from "node:crypto";
import { exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { getPrisma } from "@gatehouse/db";
import { getConfig } from "../config";
import { getRuntime } from "../runtime";
import { open, seal } from "../lib/secret-box";

/**
 * Access-token signing keys (Ed25519). All instances share them through the database. A key
 * rotated in is published at once and signs only after the activation delay; a replaced key
 * stays published until the last token it signed has expired. Each server re-reads the keys at
 * least every SIGNING_KEY_REFRESH_SECONDS, so rotations need no restart.
 */
export const SIGNING_ALG = "EdDSA";
const PURPOSE = "signing-key";
type JoseKey = Awaited<ReturnType<typeof importJWK>>;
/** Extra time a retired key stays published, for clock skew between servers and clients. */
const RETIRE_GRACE_SECONDS = 60;

interface LoadedKey {
  kid: string;
  publicJwk: JWK;
  activatesAt: Date;
  publishUntil: Date | null;
  verifyKey: JoseKey;
  privateSealed: string;
  signKey?: JoseKey;
}

interface KeyRing {
  loadedAt: number;
  keys: LoadedKey[];
}

/** The ring this process has loaded, and the load under way (held by the runtime, see runtime.ts). */
export interface KeyRingCache {
  ring?: KeyRing;
  loading?: Promise<KeyRing>;
}
function state(): KeyRingCache {
  return getRuntime().keyRing;
}

function secrets(): string[] {
  const { authSecret, authSecretPrevious } = getConfig();
  if (!authSecret) throw new Error("AUTH_SECRET is not configured");
  return authSecretPrevious ? [authSecret, authSecretPrevious] : [authSecret];
}

async function loadRing(): Promise<KeyRing> {
  const rows = await getPrisma().signingKey.findMany({ orderBy: { activatesAt: "asc" } });
  const previous = new Map(state().ring?.keys.map((key) => [key.kid, key]));
  const keys: LoadedKey[] = [];
  for (const row of rows) {
    const known = previous.get(row.id);
    if (known) {
      keys.push({ ...known, publishUntil: row.publishUntil, activatesAt: row.activatesAt });
      continue;
    }
    const publicJwk = row.publicJwk as JWK;
    keys.push({
      kid: row.id,
      publicJwk,
      activatesAt: row.activatesAt,
      publishUntil: row.publishUntil,
      verifyKey: (await importJWK({ ...publicJwk, alg: row.alg }, row.alg)) as JoseKey,
      privateSealed: row.privateJwkEncrypted,
    });
  }
  return { loadedAt: Date.now(), keys };
}

/** The cached key ring, re-read when older than the refresh interval (or when forced). */
export async function keyRing(options: { force?: boolean } = {}): Promise<KeyRing> {
  const s = state();
  const maxAgeMs = getConfig().tokens.keyRefreshSeconds * 1000;
  if (!options.force && s.ring && Date.now() - s.ring.loadedAt < maxAgeMs) return s.ring;
  s.loading ??= loadRing()
    .then((ring) => (s.ring = ring))
    .finally(() => (s.loading = undefined));
  return s.loading;
}

async function newKeyMaterial() {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { crv: "Ed25519", extractable: true });
  const kid = randomBytes(12).toString("base64url");
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: "sig" };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG };
  return { kid, publicJwk, privateSealed: seal(JSON.stringify(privateJwk), secrets()[0]!, PURPOSE) };
}

/** At start: makes sure a signing key exists (the very first one signs at once). */
export async function ensureSigningKey(): Promise<void> {
  const prisma = getPrisma();
  await prisma.$transaction(async (tx) => {
    // One instance creates the first key even when several start together.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(727073690)`;
    if ((await tx.signingKey.count()) > 0) return;
    const material = await newKeyMaterial();
    await tx.signingKey.create({
      data: {
        id: material.kid,
        alg: SIGNING_ALG,
        publicJwk: material.publicJwk,
        privateJwkEncrypted: material.privateSealed,
        activatesAt: new Date(),
      },
    });
  });
}

/**
 * `pnpm keys:rotate`: publishes a new key now; it signs after the activation delay. Keys it
 * replaces stay published until every token they can have signed has expired.
 */
export async function rotateSigningKey(now = new Date()): Promise<{ kid: string; activatesAt: Date }> {
  const config = getConfig();
  const material = await newKeyMaterial();
  const activatesAt = await getPrisma().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(727073690)`;
    // With no key at all (rotated before any server ran) there is nothing to hand over from:
    // the new key signs at once, as ensureSigningKey's first key does.
    const first = (await tx.signingKey.count()) === 0;
    const activatesAt = first ? now : new Date(now.getTime() + config.tokens.keyActivationDelaySeconds * 1000);
    const publishUntil = new Date(activatesAt.getTime() + (config.tokens.accessTtlSeconds + RETIRE_GRACE_SECONDS) * 1000);
    await tx.signingKey.updateMany({
      where: { retiredAt: null },
      data: { retiredAt: activatesAt, publishUntil },
    });
    await tx.signingKey.create({
      data: {
        id: material.kid,
        alg: SIGNING_ALG,
        publicJwk: material.publicJwk,
        privateJwkEncrypted: material.privateSealed,
        activatesAt,
      },
    });
    return activatesAt;
  });
  // This process sees the new key at once; other servers on their next refresh (or at once for
  // the JWKS, which is always read fresh).
  await keyRing({ force: true });
  return { kid: material.kid, activatesAt };
}

/** The key that signs now: the most recently activated one. */
export async function currentSigningKey(): Promise<{ kid: string; key: JoseKey }> {
  let ring = await keyRing();
  const now = Date.now();
  let active = [...ring.keys].reverse().find((key) => key.activatesAt.getTime() <= now);
  if (!active) {
    ring = await keyRing({ force: true });
    active = [...ring.keys].reverse().find((key) => key.activatesAt.getTime() <= now);
  }
  if (!active) throw new Error("no active signing key (run the server once, or pnpm keys:rotate)");
  if (!active.signKey) {
    const jwk = JSON.parse(open(active.privateSealed, secrets(), PURPOSE)) as JWK;
    active.signKey = (await importJWK(jwk, SIGNING_ALG)) as JoseKey;
  }
  return { kid: active.kid, key: active.signKey };
}

const UNKNOWN_KID_RELOAD_MS = 5000;
let lastUnknownKidReload = 0;

/** The verification key for a `kid`, if that key is published. */
export async function verificationKey(kid: string): Promise<JoseKey | undefined> {
  const now = Date.now();
  const isLive = (key: LoadedKey) => key.kid === kid && (!key.publishUntil || key.publishUntil.getTime() > now);
  let found = (await keyRing()).keys.find(isLive);
  // A key rotated in by another server: look again, at most every few seconds.
  if (!found && now - lastUnknownKidReload > UNKNOWN_KID_RELOAD_MS) {
    lastUnknownKidReload = now;
    found = (await keyRing({ force: true })).keys.find(isLive);
  }
  return found?.verifyKey;
}

/**
 * The body of /.well-known/jwks.json. Read fresh from the database on every request (concurrent
 * ones share one read), so a key rotated in by any process is published at once; the answer
 * carries Cache-Control max-age=300, so product apps ask rarely.
 */
export async function publishedJwks(): Promise<{ keys: JWK[] }> {
  const now = Date.now();
  const ring = await keyRing({ force: true });
  return {
    keys: ring.keys.filter((key) => !key.publishUntil || key.publishUntil.getTime() > now).map((key) => key.publicJwk),
  };
}
