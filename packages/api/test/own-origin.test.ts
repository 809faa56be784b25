import { afterEach, describe, expect, it } from "vitest";
import { loadConfig, setConfig } from "../src/config";
import { isOwnOrigin } from "../src/http/cors";

/**
 * The BackOffice's CSRF check (cors.ts): which Origin counts as its own. Production and tests
 * accept APP_URL's origin only; `pnpm dev` also the host the request was addressed to, so that
 * localhost and 127.0.0.1 both work.
 */
describe("isOwnOrigin", () => {
  const env = { APP_URL: "http://localhost:3000", AUTH_SECRET: "x".repeat(40) };
  afterEach(() => setConfig(loadConfig(process.env)));

  it("outside development only APP_URL's origin is the BackOffice's own, whatever the Host header says", () => {
    for (const mode of ["production", "test"] as const) {
      setConfig(loadConfig(env, mode));
      expect(isOwnOrigin("http://localhost:3000", "localhost:3000")).toBe(true);
      expect(isOwnOrigin("http://127.0.0.1:3000", "127.0.0.1:3000")).toBe(false);
      expect(isOwnOrigin("https://evil.example", "evil.example")).toBe(false);
    }
  });

  it("in development the origin of the request's own host counts too, and nothing else", () => {
    setConfig(loadConfig(env, "development"));
    expect(isOwnOrigin("http://localhost:3000", "127.0.0.1:3000")).toBe(true);
    expect(isOwnOrigin("http://127.0.0.1:3000", "127.0.0.1:3000")).toBe(true);
    expect(isOwnOrigin("http://LOCALHOST:3000", "localhost:3000")).toBe(true);
    // A cross-site page sends its own origin: another host than the one it is calling.
    expect(isOwnOrigin("https://evil.example", "127.0.0.1:3000")).toBe(false);
    expect(isOwnOrigin("http://127.0.0.1:3001", "127.0.0.1:3000")).toBe(false);
    expect(isOwnOrigin("null", "127.0.0.1:3000")).toBe(false);
    expect(isOwnOrigin("http://127.0.0.1:3000", undefined)).toBe(false);
  });
});
