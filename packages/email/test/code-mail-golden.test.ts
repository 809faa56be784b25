import { describe, expect, it } from "vitest";
import { renderSignInCodeEmail, renderVerificationEmail, type Locale } from "../src/index";

/**
 * The code mails share one layout (templates/_components/code-mail.tsx). These files are the
 * mails as they were rendered before that layout existed: sharing it changed no byte of them.
 */
const cases: { name: string; render: typeof renderVerificationEmail; locale: Locale; ttlMinutes: number; tenantName: string }[] = [
  { name: "verification-ko", render: renderVerificationEmail, locale: "ko", ttlMinutes: 10, tenantName: "Acme 커머스" },
  { name: "verification-en", render: renderVerificationEmail, locale: "en", ttlMinutes: 1, tenantName: "Shop 1234567 <b>" },
  { name: "sign-in-ko", render: renderSignInCodeEmail, locale: "ko", ttlMinutes: 5, tenantName: "한빛 상점" },
  { name: "sign-in-en", render: renderSignInCodeEmail, locale: "en", ttlMinutes: 5, tenantName: "Acme" },
];

describe("code mails: unchanged by the shared layout", () => {
  it.each(cases)("$name", async ({ name, render, locale, ttlMinutes, tenantName }) => {
    const mail = await render({ locale, code: "048213", ttlMinutes, tenantName });
    await expect(`${mail.subject}\n----\n${mail.text}\n----\n${mail.html}\n`).toMatchFileSnapshot(`golden/${name}.txt`);
  });
});
