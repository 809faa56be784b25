import { randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  renderIdentityLinkedEmail,
  renderManagerInvitationEmail,
  renderPasswordChangedEmail,
  renderPasswordResetCodeEmail,
  renderSignInCodeEmail,
  renderVerificationEmail,
  type Locale,
} from "../src/index";
import { breakLongDigitRuns, safeHttpUrl } from "../src/text";

const LOCALES: Locale[] = ["ko", "en"];
const SIX_OR_MORE_DIGITS = /\d{6,}/g;

function randomCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, "0");
}

/** Every test of "no remote content": nothing a mail client would fetch. */
function expectNoRemoteResources(html: string) {
  expect(html).not.toMatch(/<img\b/i);
  expect(html).not.toMatch(/<link\b/i);
  expect(html).not.toMatch(/<script\b/i);
  expect(html).not.toMatch(/@import|url\(/i);
  expect(html).not.toMatch(/\bsrc=/i);
  expect(html).not.toMatch(/fonts\.googleapis|cdn\./i);
}

describe("renderVerificationEmail", () => {
  it.each([
    ["ko", "[Acme] 이메일 인증 코드", "10분 후에 만료", "무시"],
    ["en", "Your Acme verification code", "expires in 10 minutes", "ignore this email"],
  ] as const)("renders %s with subject, lang, expiry and the ignore line", async (locale, subject, expiry, ignore) => {
    const mail = await renderVerificationEmail({ locale, code: "482915", ttlMinutes: 10, tenantName: "Acme" });
    expect(mail.subject).toBe(subject);
    expect(mail.html).toMatch(new RegExp(`<html[^>]*\\blang="${locale}"`));
    expect(mail.text).toContain(expiry);
    expect(mail.html).toContain(expiry);
    expect(mail.text).toContain(ignore);
    expect(mail.text).toContain("Acme");
    expectNoRemoteResources(mail.html);
  });

  it("shows the code as one text node (a double-click selects all six digits)", async () => {
    for (const locale of LOCALES) {
      const mail = await renderVerificationEmail({ locale, code: "048213", ttlMinutes: 10, tenantName: "Acme" });
      expect(mail.html).toMatch(/<p[^>]*font-family:ui-monospace[^>]*letter-spacing[^>]*>048213<\/p>/);
    }
  });

  it("has a preheader that stays out of the text part", async () => {
    const mail = await renderVerificationEmail({ locale: "en", code: "482915", ttlMinutes: 10, tenantName: "Acme" });
    expect(mail.html).toContain('data-skip-in-text="true">Your Acme verification code. It expires in 10 minutes.');
    expect(mail.text).not.toContain("It expires in 10 minutes.");
  });

  it("keeps the code the text part's only run of 6+ digits, for many codes and tenant names", async () => {
    const codes = ["000000", "999999", "123456", "100000", "000001", "010101", ...Array.from({ length: 12 }, randomCode)];
    const tenants = ["Acme", "Acme 2026", "Shop 1234567", "990011", "２０２６１１２１ 상점", "Lab\n123456"];
    for (const locale of LOCALES) {
      for (const [i, code] of codes.entries()) {
        const tenantName = tenants[i % tenants.length]!;
        const mail = await renderVerificationEmail({ locale, code, ttlMinutes: 10, tenantName });
        const runs = mail.text.match(SIX_OR_MORE_DIGITS) ?? [];
        expect(runs.length, `${locale} ${code} ${tenantName}`).toBeGreaterThan(0);
        expect(new Set(runs), `${locale} ${code} ${tenantName}`).toEqual(new Set([code]));
        // the same holds for digits of any script (a Python \d would see full-width ones)
        expect(new Set(mail.text.match(/\p{Nd}{6,}/gu)), `${locale} ${code} ${tenantName}`).toEqual(new Set([code]));
        expect(mail.html).toContain(`>${code}</p>`);
        expect(mail.subject).not.toMatch(SIX_OR_MORE_DIGITS);
      }
    }
  });

  it("states other lifetimes, singular included", async () => {
    expect((await renderVerificationEmail({ locale: "en", code: "482915", ttlMinutes: 1, tenantName: "Acme" })).text).toContain(
      "expires in 1 minute.",
    );
    expect((await renderVerificationEmail({ locale: "ko", code: "482915", ttlMinutes: 15, tenantName: "Acme" })).text).toContain(
      "15분 후에 만료",
    );
  });

  it("refuses a code that is not 6 digits and a nonsensical lifetime", async () => {
    await expect(renderVerificationEmail({ locale: "ko", code: "12345", ttlMinutes: 10, tenantName: "A" })).rejects.toThrow(TypeError);
    await expect(renderVerificationEmail({ locale: "ko", code: "12345a", ttlMinutes: 10, tenantName: "A" })).rejects.toThrow(TypeError);
    await expect(renderVerificationEmail({ locale: "ko", code: "1234567", ttlMinutes: 10, tenantName: "A" })).rejects.toThrow(TypeError);
    await expect(renderVerificationEmail({ locale: "ko", code: "123456", ttlMinutes: 123456, tenantName: "A" })).rejects.toThrow(
      RangeError,
    );
    await expect(renderVerificationEmail({ locale: "ko", code: "123456", ttlMinutes: 0.5, tenantName: "A" })).rejects.toThrow(RangeError);
  });

  it("falls back to Korean for an unknown locale from untyped callers", async () => {
    const mail = await renderVerificationEmail({ locale: "fr" as Locale, code: "482915", ttlMinutes: 10, tenantName: "Acme" });
    expect(mail.subject).toBe("[Acme] 이메일 인증 코드");
    expect(mail.html).toMatch(/<html[^>]*\blang="ko"/);
  });
});

describe("renderSignInCodeEmail", () => {
  it.each([
    ["ko", "[Acme] 로그인 코드", "5분 후에 만료", "무시"],
    ["en", "Your Acme sign-in code", "expires in 5 minutes", "ignore this email"],
  ] as const)("renders %s: its own subject and words, lang, expiry and the ignore line", async (locale, subject, expiry, ignore) => {
    const mail = await renderSignInCodeEmail({ locale, code: "305817", ttlMinutes: 5, tenantName: "Acme" });
    expect(mail.subject).toBe(subject);
    expect(mail.html).toMatch(new RegExp(`<html[^>]*\\blang="${locale}"`));
    expect(mail.text).toContain(expiry);
    expect(mail.text).toContain(ignore);
    expect(mail.html).toMatch(/<p[^>]*font-family:ui-monospace[^>]*letter-spacing[^>]*>305817<\/p>/);
    // Not the verification mail: a sign-in mail never speaks of verifying an address.
    const verification = await renderVerificationEmail({ locale, code: "305817", ttlMinutes: 5, tenantName: "Acme" });
    expect(mail.subject).not.toBe(verification.subject);
    expect(mail.text).not.toBe(verification.text);
    expectNoRemoteResources(mail.html);
  });

  it("keeps the code the text part's only run of 6+ digits, for many codes and tenant names", async () => {
    const codes = ["000000", "999999", "100000", ...Array.from({ length: 8 }, randomCode)];
    const tenants = ["Acme", "Shop 1234567", "990011", "２０２６１１２１ 상점", "Lab\n123456"];
    for (const locale of LOCALES) {
      for (const [i, code] of codes.entries()) {
        const tenantName = tenants[i % tenants.length]!;
        const mail = await renderSignInCodeEmail({ locale, code, ttlMinutes: 5, tenantName });
        expect(new Set(mail.text.match(/\p{Nd}{6,}/gu)), `${locale} ${code} ${tenantName}`).toEqual(new Set([code]));
        expect(mail.subject).not.toMatch(SIX_OR_MORE_DIGITS);
      }
    }
  });

  it("refuses a code that is not 6 digits and a nonsensical lifetime", async () => {
    await expect(renderSignInCodeEmail({ locale: "en", code: "12345", ttlMinutes: 5, tenantName: "A" })).rejects.toThrow(TypeError);
    await expect(renderSignInCodeEmail({ locale: "en", code: "123456", ttlMinutes: 0, tenantName: "A" })).rejects.toThrow(RangeError);
  });
});

describe("renderPasswordResetCodeEmail", () => {
  it.each([
    ["ko", "[Acme] 비밀번호 재설정 코드", "5분 후에 만료", "비밀번호는 바뀌지 않습니다"],
    ["en", "Your Acme password reset code", "expires in 5 minutes", "Your password stays the same"],
  ] as const)("renders %s: its own subject and words, in the code mails' layout", async (locale, subject, expiry, ignore) => {
    const mail = await renderPasswordResetCodeEmail({ locale, code: "650284", ttlMinutes: 5, tenantName: "Acme" });
    expect(mail.subject).toBe(subject);
    expect(mail.html).toMatch(new RegExp(`<html[^>]*\\blang="${locale}"`));
    expect(mail.text).toContain(expiry);
    expect(mail.text).toContain(ignore);
    expect(mail.html).toMatch(/<p[^>]*font-family:ui-monospace[^>]*letter-spacing[^>]*>650284<\/p>/);
    const signIn = await renderSignInCodeEmail({ locale, code: "650284", ttlMinutes: 5, tenantName: "Acme" });
    expect(mail.text).not.toBe(signIn.text);
    expectNoRemoteResources(mail.html);
  });

  it("keeps the code the text part's only run of 6+ digits, for many codes and tenant names", async () => {
    const codes = ["000000", "999999", "100000", ...Array.from({ length: 8 }, randomCode)];
    const tenants = ["Acme", "Shop 1234567", "990011", "２０２６１１２１ 상점", "Lab\n123456"];
    for (const locale of LOCALES) {
      for (const [i, code] of codes.entries()) {
        const tenantName = tenants[i % tenants.length]!;
        const mail = await renderPasswordResetCodeEmail({ locale, code, ttlMinutes: 5, tenantName });
        expect(new Set(mail.text.match(/\p{Nd}{6,}/gu)), `${locale} ${code} ${tenantName}`).toEqual(new Set([code]));
        expect(mail.subject).not.toMatch(SIX_OR_MORE_DIGITS);
      }
    }
  });

  it("refuses a code that is not 6 digits and a nonsensical lifetime", async () => {
    await expect(renderPasswordResetCodeEmail({ locale: "en", code: "12345", ttlMinutes: 5, tenantName: "A" })).rejects.toThrow(TypeError);
    await expect(renderPasswordResetCodeEmail({ locale: "en", code: "123456", ttlMinutes: 0, tenantName: "A" })).rejects.toThrow(
      RangeError,
    );
  });
});

describe("renderPasswordChangedEmail", () => {
  const changedAt = new Date("2026-12-08T10:05:00.000Z");

  it("says how and when, names the account, in each locale, with no link to act on", async () => {
    const reset = await renderPasswordChangedEmail({ locale: "en", tenantName: "Acme", userId: "jiwoo.kim", how: "reset", changedAt });
    expect(reset.subject).toBe("Your Acme password was changed");
    expect(reset.text).toContain("2026-12-08 10:05 (UTC)");
    expect(reset.text).toContain("Account: jiwoo.kim");
    expect(reset.text).toContain("signed out everywhere");
    const changed = await renderPasswordChangedEmail({ locale: "en", tenantName: "Acme", userId: "jiwoo.kim", how: "changed", changedAt });
    expect(changed.text).toContain("every other sign-in was ended");
    const ko = await renderPasswordChangedEmail({ locale: "ko", tenantName: "한빛 상점", userId: "mgr.kim", how: "reset", changedAt });
    expect(ko.subject).toBe("[한빛 상점] 비밀번호가 변경되었습니다");
    expect(ko.text).toContain("비밀번호 찾기");
    expect(ko.text).toContain("계정: mgr.kim");
    for (const mail of [reset, changed, ko]) expect(mail.html).not.toMatch(/<a\s/i);
  });

  it("keeps the subject on one line and escapes markup in the tenant name", async () => {
    const mail = await renderPasswordChangedEmail({
      locale: "en",
      tenantName: "<b>Evil</b>\nCo",
      userId: "u.one",
      how: "changed",
      changedAt,
    });
    expect(mail.subject).not.toContain("\n");
    expect(mail.html).not.toContain("<b>Evil</b>");
  });
});

describe("renderManagerInvitationEmail", () => {
  const base = {
    tenantName: "Acme Commerce",
    tenantKey: "acme",
    userId: "jiwoo.kim",
    displayName: "김지우",
    appUrl: "https://app.acme.example/console",
  };
  const password = "Tq7-mVr2-Hx9p";

  it.each([
    ["ko", "[Acme Commerce] 관리자 계정이 발급되었습니다", "비밀번호를 반드시 변경", "김지우님"],
    ["en", "Your Acme Commerce manager account is ready", "You must change your password the first time you sign in", "Hi 김지우"],
  ] as const)(
    "renders %s with subject, lang, tenant, userId and the password-change note",
    async (locale, subject, mustChange, greeting) => {
      const mail = await renderManagerInvitationEmail({ ...base, locale });
      expect(mail.subject).toBe(subject);
      expect(mail.html).toMatch(new RegExp(`<html[^>]*\\blang="${locale}"`));
      for (const part of [mail.text, mail.html]) {
        expect(part).toContain("Acme Commerce");
        expect(part).toContain("(acme)");
        expect(part).toContain("jiwoo.kim");
        expect(part).toContain(mustChange);
        expect(part).toContain(greeting);
      }
      expect(mail.html).toContain('href="https://app.acme.example/console"');
      expect(mail.text).toContain("https://app.acme.example/console");
      expectNoRemoteResources(mail.html);
    },
  );

  it.each(LOCALES)("includes the temporary password only when given (%s)", async (locale) => {
    const separately = locale === "ko" ? "관리자가 별도로 전달" : "An administrator will give it to you separately";
    const label = locale === "ko" ? "임시 비밀번호</p>" : "Temporary password</p>";

    const withPassword = await renderManagerInvitationEmail({ ...base, locale, temporaryPassword: password });
    expect(withPassword.text).toContain(password);
    expect(withPassword.html).toContain(`>${password}</p>`);
    expect(withPassword.html).toContain(label);
    expect(withPassword.text).not.toContain(separately);

    for (const temporaryPassword of [undefined, ""]) {
      const without = await renderManagerInvitationEmail({ ...base, locale, temporaryPassword });
      expect(without.html).not.toContain(label);
      expect(without.text).toContain(separately);
      expect(without.html).toContain(separately);
      expect(without.text).not.toContain(password);
    }
  });

  it.each(LOCALES)("leaves the button out when appUrl is null or not http(s) (%s)", async (locale) => {
    const noUrl =
      locale === "ko"
        ? "로그인 주소는 계정을 발급한 관리자에게 문의하세요."
        : "Ask the administrator who issued your account where to sign in.";
    for (const appUrl of [null, "", "javascript:alert(1)", "not a url"]) {
      const mail = await renderManagerInvitationEmail({ ...base, locale, appUrl });
      expect(mail.html).not.toMatch(/<a\b/);
      expect(mail.html).not.toContain("javascript:");
      expect(mail.text).toContain(noUrl);
      expect(mail.text).toContain("jiwoo.kim");
    }
    const withUrl = await renderManagerInvitationEmail({ ...base, locale });
    expect(withUrl.text).not.toContain(noUrl);
  });

  it("escapes markup in names", async () => {
    const mail = await renderManagerInvitationEmail({ ...base, locale: "en", displayName: "<b>Eve</b>", tenantName: "A&B <Corp>" });
    expect(mail.html).not.toContain("<b>Eve</b>");
    expect(mail.html).toContain("&lt;b&gt;Eve&lt;/b&gt;");
    expect(mail.subject).toBe("Your A&B <Corp> manager account is ready");
  });

  it("keeps the subject on one line", async () => {
    const mail = await renderManagerInvitationEmail({ ...base, locale: "en", tenantName: "Acme\r\nBcc: evil@example.com" });
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });
});

describe("renderIdentityLinkedEmail", () => {
  const linkedAt = new Date("2026-12-08T10:05:00.000Z");

  it("names the provider and the time, in each locale, with no link to act on", async () => {
    const en = await renderIdentityLinkedEmail({ locale: "en", tenantName: "Acme", provider: "kakao", linkedAt });
    expect(en.subject).toBe("Your Acme account is now linked to Kakao");
    expect(en.text).toContain("2026-12-08 10:05 (UTC)");
    expect(en.text).toContain("sign in with Kakao");
    const ko = await renderIdentityLinkedEmail({ locale: "ko", tenantName: "한빛 상점", provider: "naver", linkedAt });
    expect(ko.subject).toBe("[한빛 상점] 네이버 계정이 연결되었습니다");
    expect(ko.text).toContain("네이버");
    for (const mail of [en, ko]) expect(mail.html).not.toMatch(/<a\s/i);
  });

  it("keeps the subject on one line and escapes markup in the tenant name", async () => {
    const mail = await renderIdentityLinkedEmail({ locale: "en", tenantName: "<b>Evil</b>\nCo", provider: "google", linkedAt });
    expect(mail.subject).not.toContain("\n");
    expect(mail.html).not.toContain("<b>Evil</b>");
  });
});

describe("text helpers", () => {
  it("breaks long digit runs and nothing else", () => {
    expect(breakLongDigitRuns("Shop 1234567")).toBe("Shop 123\u2009456\u20097");
    expect(breakLongDigitRuns("Acme 2026 12345")).toBe("Acme 2026 12345");
    expect(breakLongDigitRuns("１２３４５６")).not.toMatch(/\p{Nd}{6}/u);
  });

  it("accepts only absolute http(s) URLs", () => {
    expect(safeHttpUrl("https://app.example.com")).toBe("https://app.example.com/");
    expect(safeHttpUrl("http://127.0.0.1:3000/x")).toBe("http://127.0.0.1:3000/x");
    expect(safeHttpUrl("javascript:alert(1)")).toBeNull();
    expect(safeHttpUrl("/relative")).toBeNull();
    expect(safeHttpUrl("https://user:pw@example.com")).toBeNull();
    expect(safeHttpUrl(null)).toBeNull();
  });
});

describe("Korean text", () => {
  it("names the common Korean fonts of each platform in the body's font stack, in both templates and locales", async () => {
    for (const locale of LOCALES) {
      const mails = [
        await renderVerificationEmail({ locale, code: "482915", ttlMinutes: 10, tenantName: "한빛 상점" }),
        await renderSignInCodeEmail({ locale, code: "482915", ttlMinutes: 5, tenantName: "한빛 상점" }),
        await renderPasswordResetCodeEmail({ locale, code: "482915", ttlMinutes: 5, tenantName: "한빛 상점" }),
        await renderPasswordChangedEmail({ locale, tenantName: "한빛 상점", userId: "mgr.kim", how: "reset", changedAt: new Date() }),
        await renderManagerInvitationEmail({
          locale,
          tenantName: "한빛 상점",
          tenantKey: "hanbit",
          userId: "mgr.kim",
          displayName: "김민지",
          appUrl: null,
        }),
      ];
      for (const mail of mails) {
        // Every text font stack (the monospace one for codes and passwords aside).
        const stacks = [...mail.html.matchAll(/font-family:((?:[^;"&]|&quot;)*)/g)]
          .map((match) => match[1]!)
          .filter((stack) => !stack.startsWith("ui-monospace"));
        expect(stacks.length).toBeGreaterThan(0);
        for (const stack of stacks) {
          for (const font of ["Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic"]) expect(stack, `${locale}: ${font}`).toContain(font);
        }
      }
    }
  });
});
