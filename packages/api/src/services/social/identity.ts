import { createHmac, hkdfSync, randomInt } from "node:crypto";
import { getPrisma, isUniqueViolation, type Prisma, type SocialProvider, type Tenant, type User } from "@gatehouse/db";
import { renderIdentityLinkedEmail } from "@gatehouse/email";
import { getConfig } from "../../config";
import { appError } from "../../errors";
import { getLogger } from "../../lib/log";
import { getMailer } from "../../lib/mailer";
import { assertEmailDomainAllowed } from "../../policy/email-domain-policy";
import { auditUserAction } from "../audit";
import type { ClientInfo } from "../sessions";
import type { ProviderProfile } from "./provider";

/**
 * CONTRACT v2 "Identity": who a provider's profile is in a tenant. In this order:
 * 1. the identity (tenant, provider, provider's user id) exists → its user;
 * 2. the provider vouches for the address (ProviderProfile.emailVerified: never Naver) and a user
 *    of the tenant has that same address verified → the identity is linked to that user (and
 *    they get a security notice by mail);
 * 3. otherwise a new user: self_signup member, no password, a `<provider>-…` userId, the
 *    provider's address (verified only if vouched for) after the domain policy, or for an
 *    account without one a keyed `@social.local` placeholder, unverified.
 * Linking on anything weaker would hand an account to whoever registered its address at a
 * provider first. Concurrent first sign-ins are settled by the unique indexes: the loser reads
 * again and finds what the winner wrote.
 */

export interface ResolvedUser {
  user: User;
  isNewUser: boolean;
}

/** How many times a lost race (the identity or the address written meanwhile) is read again. */
const RESOLVE_READS = 3;

export async function resolveSocialUser(
  tenant: Tenant,
  provider: SocialProvider,
  profile: ProviderProfile,
  client: ClientInfo,
): Promise<ResolvedUser> {
  const prisma = getPrisma();
  for (let read = 0; read < RESOLVE_READS; read++) {
    const identity = await prisma.userIdentity.findUnique({
      where: { tenantId_provider_providerUserId: { tenantId: tenant.id, provider, providerUserId: profile.providerUserId } },
      include: { user: true },
    });
    if (identity && !identity.user.deletedAt) return { user: signInable(identity.user), isNewUser: false };

    try {
      const owner = vouchedAddress(provider, profile)
        ? await prisma.user.findUnique({ where: { tenantId_verifiedEmail: { tenantId: tenant.id, verifiedEmail: profile.email! } } })
        : null;
      if (owner && !owner.deletedAt)
        return { user: await linkExistingUser(tenant, signInable(owner), provider, profile, client), isNewUser: false };
      return { user: await createSocialUser(tenant, provider, profile, client), isNewUser: true };
    } catch (error) {
      // Someone else linked this identity or verified this address meanwhile: read again.
      if (isUniqueViolation(error, ["tenantId", "provider", "providerUserId"]) || isUniqueViolation(error, ["tenantId", "verifiedEmail"])) {
        continue;
      }
      throw error;
    }
  }
  throw appError("service/Unavailable");
}

/** Naver's address is a contact address: it never links, whatever the profile says. */
function vouchedAddress(provider: SocialProvider, profile: ProviderProfile): boolean {
  return provider !== "naver" && profile.emailVerified && profile.email !== null;
}

/** A suspended user is refused before anything is written for them. */
function signInable(user: User): User {
  if (user.suspendedAt) throw appError("auth/AccountSuspended");
  return user;
}

async function linkExistingUser(
  tenant: Tenant,
  user: User,
  provider: SocialProvider,
  profile: ProviderProfile,
  client: ClientInfo,
): Promise<User> {
  const linkedAt = await getPrisma().$transaction(async (tx) => {
    const identity = await insertIdentity(tx, tenant, user, provider, profile);
    await auditUserAction(tx, user, "user.identityLinked", { tenant, ip: client.ip, details: { provider, newUser: false } });
    return identity.linkedAt;
  });
  // After the commit, and never failing the sign-in: the owner hears of the new way into their account.
  await sendIdentityLinkedNotice(tenant, user, provider, linkedAt);
  return user;
}

function insertIdentity(tx: Prisma.TransactionClient, tenant: Tenant, user: User, provider: SocialProvider, profile: ProviderProfile) {
  return tx.userIdentity.create({
    data: { tenantId: tenant.id, userId: user.id, provider, providerUserId: profile.providerUserId, email: profile.email },
  });
}

async function createSocialUser(tenant: Tenant, provider: SocialProvider, profile: ProviderProfile, client: ClientInfo): Promise<User> {
  // CONTRACT v2 "v2 rules": the domain policy applies where a new address enters the tenant.
  if (profile.email !== null) assertEmailDomainAllowed(profile.email, tenant.allowedEmailDomains);
  const verified = vouchedAddress(provider, profile);
  const email = profile.email ?? placeholderAddress(tenant, provider, profile.providerUserId);
  for (let attempt = 1; ; attempt++) {
    try {
      return await getPrisma().$transaction(async (tx) => {
        const now = new Date();
        const user = await tx.user.create({
          data: {
            tenantId: tenant.id,
            userId: generatedUserId(provider),
            email,
            verifiedEmail: verified ? email : null,
            emailVerifiedAt: verified ? now : null,
            displayName: displayNameOf(provider, profile),
            passwordHash: null,
            role: "member",
            source: "self_signup",
          },
        });
        await insertIdentity(tx, tenant, user, provider, profile);
        await auditUserAction(tx, user, "user.signedUp", { tenant, ip: client.ip, details: { method: provider } });
        await auditUserAction(tx, user, "user.identityLinked", { tenant, ip: client.ip, details: { provider, newUser: true } });
        return user;
      });
    } catch (error) {
      // A generated userId that is taken (62 bits: improbable): another one.
      if (!isUniqueViolation(error, ["tenantId", "userId"]) || attempt >= 3) throw error;
    }
  }
}

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** `<provider>-` and 12 of [a-z0-9] (62 bits), within the userId pattern (CONTRACT v2). */
function generatedUserId(provider: SocialProvider): string {
  let id = `${provider}-`;
  for (let i = 0; i < 12; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

const FALLBACK_NAMES: Record<SocialProvider, string> = { google: "Google user", kakao: "Kakao user", naver: "Naver user" };

/** The provider's name for the person, fit for `displayName` (1..64 characters), else a fallback. */
function displayNameOf(provider: SocialProvider, profile: ProviderProfile): string {
  // Lone surrogates and control characters cannot be stored or shown: dropped before the cut.
  const cleaned = (profile.displayName ?? "")
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, " ")
    .trim();
  const name = Array.from(cleaned).slice(0, 64).join("").trim();
  return name || FALLBACK_NAMES[provider];
}

let placeholderKeyCache: { secret: string; key: Buffer } | undefined;

/** HKDF of AUTH_SECRET for the placeholder addresses (Kakao ids are sequential: a plain hash would name them). */
function placeholderKey(): Buffer {
  const { authSecret } = getConfig();
  if (!authSecret) throw new Error("AUTH_SECRET is not configured");
  if (placeholderKeyCache?.secret === authSecret) return placeholderKeyCache.key;
  const key = Buffer.from(hkdfSync("sha256", authSecret, "gatehouse", "gatehouse/social-placeholder/v1", 32));
  placeholderKeyCache = { secret: authSecret, key };
  return key;
}

/** `kakao_<keyed hash>@social.local`: an account without a provider address (never mailed). */
function placeholderAddress(tenant: Tenant, provider: SocialProvider, providerUserId: string): string {
  const hash = createHmac("sha256", placeholderKey()).update(`${tenant.id}\n${provider}\n${providerUserId}`).digest("hex").slice(0, 32);
  return `${provider}_${hash}@social.local`;
}

/** The security notice of a new linked identity (CONTRACT v2 "clientPasswordReset"); a failure is logged only. */
async function sendIdentityLinkedNotice(tenant: Tenant, user: User, provider: SocialProvider, linkedAt: Date): Promise<void> {
  if (!user.verifiedEmail) return;
  try {
    const mail = await renderIdentityLinkedEmail({ locale: tenant.locale, tenantName: tenant.name, provider, linkedAt });
    await getMailer().send({ to: user.verifiedEmail, ...mail });
  } catch (error) {
    getLogger().warn(
      { err: error instanceof Error ? error.message : String(error), tenantKey: tenant.key },
      "identity-linked notice not sent",
    );
  }
}
