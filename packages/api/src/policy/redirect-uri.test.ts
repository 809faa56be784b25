import { describe, expect, it } from "vitest";
import { isRedirectUriAllowed, withQueryParameters } from "./redirect-uri";

describe("isRedirectUriAllowed", () => {
  const registered = ["https://app.example.com/cb?from=gh", "http://127.0.0.1/native", "http://[::1]:8080/cb", "com.example.app:/oauth"];

  it("takes an entry as written, and nothing that merely resembles one", () => {
    for (const uri of registered) expect(isRedirectUriAllowed(uri, registered), uri).toBe(true);
    for (const uri of [
      "https://app.example.com/cb",
      "https://app.example.com/cb?from=gh&x=1",
      "https://APP.example.com/cb?from=gh",
      "https://app.example.com:443/cb?from=gh",
      "https://app.example.com/cb/?from=gh",
      "com.example.app:/oauth/",
      "com.example.app://oauth",
    ]) {
      expect(isRedirectUriAllowed(uri, registered), uri).toBe(false);
    }
  });

  it("ignores the port of http loopback hosts only (RFC 8252 §7.3)", () => {
    expect(isRedirectUriAllowed("http://127.0.0.1:53123/native", registered)).toBe(true);
    expect(isRedirectUriAllowed("http://[::1]/cb", registered)).toBe(true);
    expect(isRedirectUriAllowed("http://[::1]:1/cb", registered)).toBe(true);
    expect(isRedirectUriAllowed("http://127.0.0.1:53123/native/x", registered)).toBe(false);
    expect(isRedirectUriAllowed("http://localhost:53123/native", registered)).toBe(false);
    expect(isRedirectUriAllowed("https://127.0.0.1:53123/native", registered)).toBe(false);
    expect(isRedirectUriAllowed("http://localhost.evil.example:80/cb", ["http://localhost.evil.example/cb"])).toBe(false);
  });
});

describe("withQueryParameters", () => {
  it("adds to the URI's own query, keeps what is there, leaves out nulls", () => {
    expect(withQueryParameters("https://app.example.com/cb?from=gh", { code: "c-1", state: null })).toBe(
      "https://app.example.com/cb?from=gh&code=c-1",
    );
    expect(withQueryParameters("com.example.app:/oauth", { error: "social/AccessDenied", state: "a b&c" })).toBe(
      "com.example.app:/oauth?error=social%2FAccessDenied&state=a+b%26c",
    );
  });
});
