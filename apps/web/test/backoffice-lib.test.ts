import { describe, expect, it } from "vitest";
import { appCodes, auditActions } from "@gatehouse/contract";
import { auditActionLabel } from "../lib/audit-actions";
import { describeError, messageForAppCode } from "../lib/error-messages";
import { formatDateTime, isValidTimeZone } from "../lib/format";
import { nextPageParams, pageNumber, previousPageParams, readPageState } from "../lib/pagination";
import { contentSecurityPolicy, pageSecurityHeaders } from "../lib/security-headers";
import { safeNextPath, signInUrl } from "../lib/server/sign-in-url";
import { appUrlProblem, checkEmailDomain, emailProblem, isTenantKey, newPasswordHint, passwordLengthProblem } from "../lib/validation";

describe("allowed email domain chips", () => {
  it("lower-cases, strips a leading @, and refuses invalid names, URLs, addresses and duplicates", () => {
    expect(checkEmailDomain("  Example.COM ", [])).toEqual({ ok: true, domain: "example.com" });
    expect(checkEmailDomain("@corp.example", [])).toEqual({ ok: true, domain: "corp.example" });
    expect(checkEmailDomain("example.com", ["example.com"])).toMatchObject({
      ok: false,
      message: expect.stringContaining("already in the list"),
    });
    expect(checkEmailDomain("EXAMPLE.com", ["example.com"])).toMatchObject({ ok: false });
    for (const bad of ["localhost", "exa mple.com", "-bad.example", "bad-.example", "a..b", "https://x.example", "alice@x.example", ""]) {
      expect(checkEmailDomain(bad, []).ok, bad).toBe(false);
    }
  });
});

describe("appCodes in plain words", () => {
  it("maps every contract appCode to a sentence, and zod issues to their fields", () => {
    const described = describeError({
      message: "The input is invalid.",
      data: {
        appCode: "validation/Invalid",
        issues: [{ path: ["allowedEmailDomains", 1], message: "Enter a domain name such as example.com." }],
      },
    });
    expect(described.fieldErrors).toEqual({
      "allowedEmailDomains.1": "Enter a domain name such as example.com.",
      allowedEmailDomains: "Enter a domain name such as example.com.",
    });
    expect(described.sessionExpired).toBe(false);
    expect(describeError({ data: { appCode: "auth/Unauthenticated" } }).sessionExpired).toBe(true);
    expect(describeError(new TypeError("Failed to fetch")).message).toContain("could not be reached");
    // A rule-level validation without field issues keeps the API's own sentence.
    expect(describeError({ message: "At least one enabled admin must remain.", data: { appCode: "validation/Invalid" } }).message).toBe(
      "At least one enabled admin must remain.",
    );
    for (const code of appCodes.filter((c) => c !== "server/InternalError")) {
      expect(messageForAppCode(code), code).not.toBe(messageForAppCode("server/InternalError"));
    }
    expect(messageForAppCode("future/Code")).toBe(messageForAppCode("server/InternalError"));
  });

  it("has words for every audit action, and shows an older one as it is stored", () => {
    for (const action of auditActions) expect(auditActionLabel(action), action).not.toBe(action);
    expect(auditActionLabel("tenant.renamed")).toBe("tenant.renamed");
  });
});

describe("cursor pagination in the URL", () => {
  it("walks forward and back through pages", () => {
    const first = readPageState({});
    expect(pageNumber(first)).toBe(1);
    expect(previousPageParams(first)).toBeUndefined();
    const second = readPageState(nextPageParams(first, "c1"));
    expect(second).toEqual({ cursor: "c1", trail: ["~"] });
    const third = readPageState(nextPageParams(second, "c2"));
    expect(pageNumber(third)).toBe(3);
    expect(readPageState(previousPageParams(third)!)).toEqual(second);
    expect(previousPageParams(second)).toEqual({});
    expect(readPageState({ cursor: "bad cursor!", trail: "~" })).toEqual({ cursor: undefined, trail: [] });
  });
});

describe("sign-in redirects", () => {
  it("follows only BackOffice paths on this origin", () => {
    expect(safeNextPath("/backoffice/tenants/acme")).toBe("/backoffice/tenants/acme");
    for (const bad of [
      "https://evil.example/backoffice",
      "//evil.example",
      "/backoffice//evil",
      "/elsewhere",
      "/backoffice/sign-in?x=1",
      "/backoffice\\evil",
    ]) {
      expect(safeNextPath(bad), bad).toBeUndefined();
    }
    expect(signInUrl({ expired: true, next: "/backoffice/audit" })).toBe("/backoffice/sign-in?expired=1&next=%2Fbackoffice%2Faudit");
  });
});

describe("security headers", () => {
  it("has no unsafe-inline or unsafe-eval in production, and HSTS only on https", () => {
    const csp = contentSecurityPolicy("abc123", { dev: false });
    expect(csp).toContain("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    expect(csp).not.toContain("upgrade-insecure-requests");
    expect(contentSecurityPolicy("abc123", { dev: false, https: true })).toContain("upgrade-insecure-requests");
    expect(pageSecurityHeaders("http://127.0.0.1:3000")["strict-transport-security"]).toBeUndefined();
    expect(pageSecurityHeaders("https://gatehouse.example")["strict-transport-security"]).toMatch(/max-age=\d+/);
  });
});

describe("times in the staff member's zone", () => {
  it("formats with the zone named and rejects unknown zones", () => {
    expect(formatDateTime("2026-11-21T10:00:00.000Z", "Asia/Seoul")).toBe("21 Nov 2026, 19:00:00 GMT+9");
    expect(formatDateTime("2026-11-21T10:00:00.000Z", "UTC")).toBe("21 Nov 2026, 10:00:00 UTC");
    expect(isValidTimeZone("Europe/Berlin")).toBe(true);
    expect(isValidTimeZone("Mars/Olympus")).toBe(false);
  });
});

describe("the form's own checks (the API stays the judge)", () => {
  it("counts a password in characters after NFKC, with the 72-byte maximum said in characters", () => {
    expect(passwordLengthProblem("seven77")).toBe("Use at least 8 characters.");
    expect(passwordLengthProblem("eight888")).toBeUndefined();
    // Four Korean syllables are 12 bytes but 4 characters: too short.
    expect(passwordLengthProblem("비밀번호")).toBe("Use at least 8 characters.");
    expect(passwordLengthProblem("비밀번호를바꿔요")).toBeUndefined();
    // Full-width letters become ASCII under NFKC: 8 characters, 8 bytes.
    expect(passwordLengthProblem("ＡＢＣＤＥＦＧＨ")).toBeUndefined();
    expect(passwordLengthProblem("a".repeat(72))).toBeUndefined();
    expect(passwordLengthProblem("a".repeat(73))).toMatch(/^Too long/);
    expect(passwordLengthProblem("한".repeat(24))).toBeUndefined();
    expect(passwordLengthProblem("한".repeat(25))).toMatch(/Korean ones as 3/);
    for (const words of [newPasswordHint, passwordLengthProblem("a".repeat(73))!]) expect(words).not.toMatch(/\bbytes?\b/);
  });

  it("takes a tenant key from a URL only as the API writes it", () => {
    expect(isTenantKey("acme-2")).toBe(true);
    for (const bad of ["Acme", " acme", "a", "-acme", "acme_2", ""]) expect(isTenantKey(bad), bad).toBe(false);
  });

  it("checks emails and app URLs like the API's schemas", () => {
    expect(emailProblem("")).toBe("Enter an email address.");
    expect(emailProblem("not-an-email")).toMatch(/valid email/);
    expect(emailProblem(" ops@example.com ")).toBeUndefined();
    expect(appUrlProblem("")).toBeUndefined();
    expect(appUrlProblem("https://app.example.com/welcome")).toBeUndefined();
    expect(appUrlProblem("ftp://files.example")).toBe("The app URL must start with http:// or https://.");
    expect(appUrlProblem("app.example.com")).toMatch(/absolute/);
  });
});
