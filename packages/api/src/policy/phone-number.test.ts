import { describe, expect, it } from "vitest";
import { appErrorOf } from "../errors";
import { normalizePhone } from "./phone-number";

/** The 400 on `phone`, or the E.164 number. */
function outcome(input: string, countries: string[]): string {
  try {
    return normalizePhone(input, countries);
  } catch (error) {
    const appError = appErrorOf(error);
    expect(appError?.appCode).toBe("validation/Invalid");
    expect(appError?.details.issues?.[0]?.path).toEqual(["phone"]);
    return "invalid";
  }
}

describe("normalizePhone", () => {
  it("reads a Korean mobile number in any usual spelling as one E.164 number", () => {
    for (const input of ["010-1234-5678", "01012345678", "+821012345678", "+82 10-1234-5678", " 010 1234 5678 "]) {
      expect(outcome(input, ["KR"])).toBe("+821012345678");
    }
  });

  it("refuses a Korean landline: no text reaches it", () => {
    expect(outcome("02-2123-4567", ["KR"])).toBe("invalid");
    expect(outcome("+8222123456", ["KR"])).toBe("invalid");
  });

  it("refuses a number of a country the tenant does not allow, and accepts it once allowed", () => {
    expect(outcome("+12015550123", ["KR"])).toBe("invalid");
    expect(outcome("+12015550123", ["KR", "US"])).toBe("+12015550123");
    // National numbers are read in the first country only.
    expect(outcome("010-1234-5678", ["US", "KR"])).toBe("invalid");
    expect(outcome("(201) 555-0123", ["US", "KR"])).toBe("+12015550123");
  });

  it("with [] takes any country's + number, and no national one", () => {
    expect(outcome("+821012345678", [])).toBe("+821012345678");
    expect(outcome("+447400123456", [])).toBe("+447400123456");
    expect(outcome("01012345678", [])).toBe("invalid");
  });

  it("refuses garbage, letters, extensions, too short and too long numbers", () => {
    for (const input of [
      "",
      "+",
      "hello",
      "010-1234-567x",
      "call 01012345678",
      "+82 10 1234 5678 ext. 9",
      "010",
      "+8210123456789012",
      "--",
      "+-82",
    ]) {
      expect(outcome(input, ["KR"])).toBe("invalid");
    }
  });
});
