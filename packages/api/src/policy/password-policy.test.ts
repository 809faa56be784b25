import { describe, expect, it } from "vitest";
import { appErrorOf } from "../errors";
import { assertPasswordAllowed, commonPasswordList, normalizePassword, passwordProblem } from "./password-policy";

describe("normalizePassword", () => {
  it.each([
    ["ｐａｓｓｗｏｒｄ１２３", "password123"], // full-width
    ["Cre\u0300me", "Crème"], // decomposed → composed
    ["\ufb01ne-tuned", "fine-tuned"], // the ﬁ ligature
    ["already plain", "already plain"],
  ])("%j → %j", (typed, normalized) => {
    expect(normalizePassword(typed)).toBe(normalized);
    expect(normalizePassword(normalized)).toBe(normalized);
  });
});

describe("commonPasswordList", () => {
  it("is the shipped list: lower-case entries, no comment lines, the usual suspects", () => {
    const list = commonPasswordList();
    expect(list.size).toBeGreaterThan(20_000);
    for (const common of ["123456", "password", "qwerty", "iloveyou"]) expect(list.has(common)).toBe(true);
    expect(
      [...list].some((entry) => entry.startsWith("#") || entry !== entry.trim() || entry !== entry.toLowerCase() || entry === ""),
    ).toBe(false);
  });
});

describe("passwordProblem", () => {
  const someone = { userId: "ada.lovelace", email: "ada@example.com" };

  it("accepts a password that is neither common nor the user's own name or address", () => {
    expect(passwordProblem("a sturdy passphrase 1", someone)).toBeUndefined();
    // Containing the userId is not being it.
    expect(passwordProblem("ada.lovelace-and-more", someone)).toBeUndefined();
    expect(passwordProblem("a sturdy passphrase 1", { userId: null, email: null })).toBeUndefined();
    expect(passwordProblem("a sturdy passphrase 1", {})).toBeUndefined();
  });

  it("refuses a common password whatever its case, and in the NFKC form it is checked in", () => {
    for (const password of ["password", "PassWord", "PASSWORD", "ｐａｓｓｗｏｒｄ", "ＰＡＳＳＷＯＲＤ"]) {
      expect(passwordProblem(password, someone), password).toMatch(/too common/);
    }
  });

  it("refuses the userId and the email as the password, case-insensitively and once normalized", () => {
    expect(passwordProblem("ADA.LOVELACE", someone)).toMatch(/user ID/);
    expect(passwordProblem("ａｄａ．ｌｏｖｅｌａｃｅ", someone)).toMatch(/user ID/);
    expect(passwordProblem("Ada@Example.com", someone)).toMatch(/email address/);
    // Staff have no userId: only the email is compared.
    expect(passwordProblem("ada.lovelace", { email: "ada@example.com" })).toBeUndefined();
    expect(passwordProblem("ada@example.com", { email: "ada@example.com" })).toMatch(/email address/);
  });
});

describe("assertPasswordAllowed", () => {
  const refusal = (run: () => void) => {
    try {
      run();
    } catch (error) {
      return appErrorOf(error);
    }
    return undefined;
  };

  it("throws 400 validation/Invalid with one issue on the field it is told (password by default)", () => {
    const byDefault = refusal(() => assertPasswordAllowed("qwerty", { userId: "someone" }));
    expect(byDefault?.appCode).toBe("validation/Invalid");
    expect(byDefault?.details.issues).toEqual([{ path: ["password"], message: expect.stringMatching(/too common/) }]);
    const named = refusal(() => assertPasswordAllowed("someone", { userId: "someone" }, "newPassword"));
    expect(named?.appCode).toBe("validation/Invalid");
    expect(named?.details.issues).toEqual([{ path: ["newPassword"], message: expect.stringMatching(/user ID/) }]);
  });

  it("returns quietly for an allowed password", () => {
    expect(
      refusal(() => assertPasswordAllowed("a sturdy passphrase 1", { userId: "someone", email: "someone@example.com" })),
    ).toBeUndefined();
  });
});
