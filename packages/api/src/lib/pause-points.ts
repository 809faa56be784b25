/**
 * Test seams for races: a request awaits `pausePoint(name, subject)` at a named step, and a test
 * that set a hook for that step can hold the request there, change the world (a password
 * change, a suspension, ...), then let it go. Races become deterministic, with no sleeps.
 * Nothing sets a hook outside tests; an unset point costs one Map lookup.
 */
export type PausePointName =
  /** An end user proved who they are; their session row is about to be written. Subject: User.id. */
  | "session.open"
  /** A staff member's password was right; their session is about to be opened. Subject: StaffUser.id. */
  | "staffSession.open";

type Hook = (subjectId: string) => Promise<void>;

const hooks = new Map<PausePointName, Hook>();

export async function pausePoint(name: PausePointName, subjectId: string): Promise<void> {
  const hook = hooks.get(name);
  if (hook) await hook(subjectId);
}

/**
 * For tests: the next request reaching `name` for `subjectId` waits there. Resolves `reached`
 * once it waits; `release()` lets it go on. The hook removes itself after catching one request.
 */
export function holdAt(name: PausePointName, subjectId: string): { reached: Promise<void>; release: () => void } {
  let release!: () => void;
  let reachedResolve!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const reached = new Promise<void>((resolve) => (reachedResolve = resolve));
  hooks.set(name, async (subject) => {
    if (subject !== subjectId) return;
    hooks.delete(name);
    reachedResolve();
    await released;
  });
  return { reached, release };
}
