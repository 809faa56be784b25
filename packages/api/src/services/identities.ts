import { getPrisma, type PrismaClient, type SocialProvider } from "@gatehouse/db";

/** The contract's identity (CONTRACT v2 `clientSocial.listIdentities`, `backOffice.users.get`). */
export interface IdentityDto {
  provider: SocialProvider;
  email: string | null;
  linkedAt: string;
}

type Db = Pick<PrismaClient, "userIdentity">;

/** A user's linked provider accounts, oldest link first. */
export async function listIdentities(db: Db, userId: string): Promise<IdentityDto[]> {
  const rows = await db.userIdentity.findMany({
    where: { userId },
    orderBy: [{ linkedAt: "asc" }, { provider: "asc" }],
    select: { provider: true, email: true, linkedAt: true },
  });
  return rows.map((row) => ({ provider: row.provider, email: row.email, linkedAt: row.linkedAt.toISOString() }));
}

/** `clientSocial.listIdentities`: the signed-in user's own. */
export async function listOwnIdentities(auth: { user: { id: string } }): Promise<{ items: IdentityDto[] }> {
  return { items: await listIdentities(getPrisma(), auth.user.id) };
}
