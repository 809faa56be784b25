import { describe, expect, it } from "vitest";
import { appRouter } from "../src/root";
import { CI_FUZZ_SEED, problemsOf, regressionEntries, resolveFuzzRuns, resolveFuzzSeed, type RawResponse } from "./fuzz-harness";

/** The fuzz harness itself: its oracle, how a run picks its seed, and the regression list. */

const headers = { "cache-control": "no-store", "x-request-id": "r", "x-content-type-options": "nosniff" };
const success = (data: unknown): RawResponse => ({ status: 200, headers, text: JSON.stringify({ result: { data } }) });
// Shaped like an access token (the oracle's JWT pattern), as the caller's current one.
const callersToken = `eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJjYWxsZXIifQ.${"s".repeat(43)}`;
const context = (secrets: string[]) => ({ issuesTokens: true, secrets, echo: [], hexSeen: new Set<string>() });

describe("the fuzz oracle", () => {
  it("a token a success answer issues to the caller is not a foreign secret, even when it equals the caller's current one", () => {
    // changePassword in the same second as the caller's session: the same claims, the same token.
    const answer = success({ success: true, accessToken: callersToken, accessTokenExpiresAt: "2026-12-02T14:00:00.000Z" });
    expect(problemsOf(answer, context([callersToken]))).toEqual([]);
  });

  it("a secret anywhere else in the answer is still a foreign secret, and an error never issues anything", () => {
    const leaked = success({ user: { displayName: callersToken } });
    expect(problemsOf(leaked, context([callersToken]))).toContain(`a foreign secret appears: ${callersToken.slice(0, 12)}…`);
    const error: RawResponse = {
      status: 401,
      headers,
      text: JSON.stringify({
        error: { message: "x", code: -32001, data: { appCode: "auth/InvalidCredentials", httpStatus: 401, accessToken: callersToken } },
      }),
    };
    expect(problemsOf(error, context([callersToken]))).toContain(`a foreign secret appears: ${callersToken.slice(0, 12)}…`);
  });
});

describe("the fuzz seed", () => {
  it("is fixed under CI=true, fresh elsewhere and when roaming, and FUZZ_SEED overrides both", () => {
    const random = () => 424242;
    expect(resolveFuzzSeed({ CI: "true" }, random)).toBe(CI_FUZZ_SEED);
    expect(resolveFuzzSeed({ CI: "true", FUZZ_ROAM: "1" }, random)).toBe(424242);
    expect(resolveFuzzSeed({}, random)).toBe(424242);
    expect(resolveFuzzSeed({ CI: "true", FUZZ_SEED: "-1450964046" }, random)).toBe(-1450964046);
    expect(resolveFuzzSeed({ FUZZ_ROAM: "1", FUZZ_SEED: "7" }, random)).toBe(7);
    expect(() => resolveFuzzSeed({ FUZZ_SEED: "abc" }, random)).toThrow(/FUZZ_SEED/);
  });

  it("roaming runs more cases than CI, CI more than a developer's run; FUZZ_RUNS overrides", () => {
    expect(resolveFuzzRuns({})).toBe(300);
    expect(resolveFuzzRuns({ CI: "true" })).toBe(2000);
    expect(resolveFuzzRuns({ CI: "true", FUZZ_ROAM: "1" })).toBe(5000);
    expect(resolveFuzzRuns({ CI: "true", FUZZ_RUNS: "50" })).toBe(50);
  });
});

describe("the regression list", () => {
  it("names real procedures, says where each case was found, and holds the issue 15 counterexample", () => {
    const procedures = new Set(Object.keys(appRouter._def.procedures));
    const entries = regressionEntries();
    for (const entry of entries) {
      expect(procedures.has(entry.path), entry.path).toBe(true);
      expect(entry.found.length, entry.path).toBeGreaterThan(0);
      expect(entry.input !== undefined || entry.body !== undefined, entry.path).toBe(true);
    }
    expect(entries).toContainEqual(
      expect.objectContaining({
        path: "clientAuth.changePassword",
        input: { currentPassword: "$PASSWORD$", newPassword: "𝔰𑒈" },
        expect: "400 validation/Invalid",
      }),
    );
  });
});
