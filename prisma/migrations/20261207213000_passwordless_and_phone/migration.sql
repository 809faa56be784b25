-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "emailCodeSignIn" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "passwordSignUp" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "phone" TEXT,
ADD COLUMN     "phoneVerifiedAt" TIMESTAMP(3),
ADD COLUMN     "verifiedPhone" TEXT;

-- CreateTable
CREATE TABLE "SignupToken" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "consumedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SignupToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SignupToken_tokenHash_key" ON "SignupToken"("tokenHash");

-- CreateIndex
CREATE INDEX "SignupToken_expiresAt_idx" ON "SignupToken"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "User_tenantId_verifiedPhone_key" ON "User"("tenantId", "verifiedPhone");

-- AddForeignKey
ALTER TABLE "SignupToken" ADD CONSTRAINT "SignupToken_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

