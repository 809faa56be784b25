import { describe, expect, it } from "vitest";
import { parseTscErrors, readmeSnippets, snippetModule } from "./consumer/readme-snippets";

const readme = [
  "# Title", // 1
  "```sh", // 2
  "npm install x", // 3
  "```", // 4
  "```ts", // 5
  "import {", // 6
  "  a,", // 7
  '} from "x";', // 8
  "const r = await a(token);", // 9
  "if (!r) return null;", // 10
  "```", // 11
  "text", // 12
  "```tsx", // 13
  'import { b } from "y";', // 14
  "export function App() {", // 15
  "  return <p>{b}</p>;", // 16
  "}", // 17
  "export default App;", // 18
  "```", // 19
].join("\n");

describe("the README's snippets", () => {
  it("are the ts and tsx blocks, with the README line of their first code line", () => {
    const snippets = readmeSnippets(readme);
    expect(snippets.map(({ index, lang, line }) => ({ index, lang, line }))).toEqual([
      { index: 1, lang: "ts", line: 6 },
      { index: 2, lang: "tsx", line: 14 },
    ]);
    expect(snippets[0]!.code).toBe('import {\n  a,\n} from "x";\nconst r = await a(token);\nif (!r) return null;');
  });

  it("refuses a block that is never closed", () => {
    expect(() => readmeSnippets("```ts\nconst a = 1;\n")).toThrow(/line 1.*never closed/);
  });

  it("become modules: prelude, imports at the top, the rest in an async function at its own lines and columns", () => {
    const [first, second] = readmeSnippets(readme);
    const mod = snippetModule(first!, "declare const token: string;");
    expect(mod.name).toBe("readme-1.ts");
    expect(mod.text).toBe(
      [
        "declare const token: string;",
        "import {",
        "  a,",
        '} from "x";',
        "export async function readmeSnippet() {",
        "const r = await a(token);",
        "if (!r) return null;",
        "}",
        "",
      ].join("\n"),
    );
    expect([1, 2, 4, 5, 6, 7, 8].map((line) => mod.readmeLine(line))).toEqual([undefined, 6, 8, undefined, 9, 10, undefined]);

    const tsx = snippetModule(second!, "");
    expect(tsx.name).toBe("readme-2.tsx");
    const lines = tsx.text.split("\n");
    // `export` is spaced out, so a column in the module is the README's column.
    expect(lines[3]).toBe("       function App() {");
    expect(lines[5]).toBe("}");
    expect(lines[6]).toBe("void           App;");
    expect(tsx.readmeLine(4)).toBe(15);
    expect(tsx.readmeLine(7)).toBe(18);
  });

  it("maps tsc's errors, continuation lines included", () => {
    const output = [
      "snippets/readme-1.ts(6,7): error TS2322: Type 'number' is not assignable to type 'string'.",
      "  Details on the next line.",
      "node_modules/x/index.d.ts(1,1): error TS2307: Cannot find module 'ws'.",
      "error TS5023: Unknown compiler option 'foo'.",
    ].join("\n");
    expect(parseTscErrors(output)).toEqual([
      {
        file: "snippets/readme-1.ts",
        line: 6,
        column: 7,
        code: "TS2322",
        message: "Type 'number' is not assignable to type 'string'.\n  Details on the next line.",
      },
      { file: "node_modules/x/index.d.ts", line: 1, column: 1, code: "TS2307", message: "Cannot find module 'ws'." },
      { file: "", line: 0, column: 0, code: "TS5023", message: "error TS5023: Unknown compiler option 'foo'." },
    ]);
  });
});
