import { describe, expect, it } from "vitest";
import { unstorableTextPath } from "./unstorable-text";

describe("unstorableTextPath", () => {
  it.each([
    ["plain text", { a: "x", b: ["y", { c: "z" }] }],
    ["no strings at all", { n: 1, t: true, nothing: null, list: [1, 2] }],
    ["a well-formed surrogate pair", { emoji: "😀" }],
  ])("undefined for %s", (_, input) => {
    expect(unstorableTextPath(input)).toBeUndefined();
  });

  it.each([
    ["a NUL at the top", "a\u0000b", []],
    ["a NUL in a field", { displayName: "a\u0000b" }, ["displayName"]],
    ["a lone high surrogate deep inside", { a: [{ b: "ok" }, { c: ["x", "\ud800"] }] }, ["a", 1, "c", 1]],
    ["a lone low surrogate in a key's value", { "\u00e9": "\udc00" }, ["\u00e9"]],
  ])("the path of %s", (_, input, path) => {
    expect(unstorableTextPath(input)).toEqual(path);
  });

  it("walks inputs nested far deeper than the call stack allows", () => {
    let deep: unknown = "\u0000";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(unstorableTextPath(deep)).toHaveLength(100_000);
  });
});
