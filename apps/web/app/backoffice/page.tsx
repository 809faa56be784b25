import { redirect } from "next/navigation";
import { auth } from "../../auth";

export const dynamic = "force-dynamic";

export default async function BackOfficeHome() {
  const session = await auth();
  if (!session) redirect("/backoffice/sign-in");
  return (
    <main className="auth-card">
      <h1>Gatehouse BackOffice</h1>
      <p className="lead">Signed in as {session.user?.email}.</p>
    </main>
  );
}
