import { describe, expect, it } from "vitest";
import { appErrorOf } from "../errors";
import { assertEmailDomainAllowed, isEmailDomainAllowed } from "./email-domain-policy";

describe("isEmailDomainAllowed", () => {
  it("an empty list accepts any domain", () => {
    expect(isEmailDomainAllowed("someone@anywhere.example", [])).toBe(true);
  });

  it("a list accepts exactly its domains, in any case on either side", () => {
    const list = ["corp.example", "Other.Example"];
    expect(isEmailDomainAllowed("a@corp.example", list)).toBe(true);
    expect(isEmailDomainAllowed("a@CORP.Example", list)).toBe(true);
    expect(isEmailDomainAllowed("a@other.example", list)).toBe(true);
    expect(isEmailDomainAllowed("a@gmail.com", list)).toBe(false);
  });

  it("neither a subdomain, a parent, nor a look-alike suffix is the domain", () => {
    const list = ["corp.example"];
    expect(isEmailDomainAllowed("a@x.corp.example", list)).toBe(false);
    expect(isEmailDomainAllowed("a@example", list)).toBe(false);
    expect(isEmailDomainAllowed("a@evilcorp.example", list)).toBe(false);
    expect(isEmailDomainAllowed("a@corp.example.evil", list)).toBe(false);
  });

  it("the domain is what follows the last @", () => {
    expect(isEmailDomainAllowed('"a@corp.example"@evil.example', ["corp.example"])).toBe(false);
    expect(isEmailDomainAllowed('"a@evil.example"@corp.example', ["corp.example"])).toBe(true);
  });
});

describe("assertEmailDomainAllowed", () => {
  it("throws signUp/EmailDomainNotAllowed (400) outside the list, nothing inside it", () => {
    let refused: unknown;
    try {
      assertEmailDomainAllowed("a@gmail.com", ["corp.example"]);
    } catch (error) {
      refused = error;
    }
    expect(appErrorOf(refused)?.appCode).toBe("signUp/EmailDomainNotAllowed");
    expect(appErrorOf(refused)?.status).toBe(400);
    expect(() => assertEmailDomainAllowed("a@corp.example", ["corp.example"])).not.toThrow();
    expect(() => assertEmailDomainAllowed("a@anywhere.example", [])).not.toThrow();
  });
});
