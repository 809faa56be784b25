import ts from "typescript";

/**
 * The README's code blocks as files a consumer project type-checks. A snippet is written the
 * way people read it (top-level `await`, a `return` in a guard, placeholders such as `token`),
 * so each becomes a module: its imports at the top, after a prelude declaring the placeholders,
 * and every other statement, `export` dropped, inside one async function. Lines and columns are
 * kept, so an error maps back to its README line.
 */
export interface Snippet {
  /** 1-based, in README order. */
  index: number;
  lang: "ts" | "tsx";
  /** README line (1-based) of the block's first code line. */
  line: number;
  code: string;
}

export interface SnippetModule {
  name: string;
  text: string;
  /** The README line of a line of `text` (1-based), or undefined for a generated line. */
  readmeLine(line: number): number | undefined;
}

export interface TscError {
  file: string;
  line: number;
  column: number;
  code: string;
  message: string;
}

const fence = /^```(ts|tsx|typescript)\b.*$/;

/** Every ```ts, ```tsx and ```typescript block of a Markdown text. */
export function readmeSnippets(markdown: string): Snippet[] {
  const lines = markdown.split("\n");
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = fence.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((line, j) => j > i && /^```\s*$/.test(line));
    if (end === -1) throw new Error(`README line ${i + 1}: the \`\`\`${open[1]} block is never closed`);
    snippets.push({
      index: snippets.length + 1,
      lang: open[1] === "tsx" ? "tsx" : "ts",
      line: i + 2,
      code: lines.slice(i + 1, end).join("\n"),
    });
    i = end;
  }
  return snippets;
}

/** A snippet as a module: `prelude`, the snippet's imports, then the rest in `readmeSnippet()`. */
export function snippetModule(snippet: Snippet, prelude: string, name = `readme-${snippet.index}.${snippet.lang}`): SnippetModule {
  const source = ts.createSourceFile(
    name,
    snippet.code,
    ts.ScriptTarget.Latest,
    true,
    snippet.lang === "tsx" ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const lines: string[] = [];
  const origin: (number | undefined)[] = [];
  const emit = (text: string, readmeLine?: number) =>
    text.split("\n").forEach((line, i) => {
      lines.push(line);
      origin.push(readmeLine === undefined ? undefined : readmeLine + i);
    });
  /** The statement as written, on its own lines and at its own column, with `blank` ranges spaced out. */
  const statement = (node: ts.Statement, blank: (readonly [number, number, string?])[] = []) => {
    const start = node.getStart(source);
    let text = snippet.code.slice(start, node.end);
    for (const [from, to, replacement = ""] of blank) {
      text = text.slice(0, from - start) + replacement.padEnd(to - from) + text.slice(to - start);
    }
    const { line, character } = source.getLineAndCharacterOfPosition(start);
    emit(" ".repeat(character) + text, snippet.line + line);
  };

  emit(prelude);
  const body: ts.Statement[] = [];
  for (const node of source.statements) {
    const reexport = ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined;
    if (ts.isImportDeclaration(node) || ts.isImportEqualsDeclaration(node) || reexport) statement(node);
    // `export { a }` only exports what the body declares: nothing to check.
    else if (!ts.isExportDeclaration(node)) body.push(node);
  }
  emit("export async function readmeSnippet() {");
  for (const node of body) {
    if (ts.isExportAssignment(node) && !node.isExportEquals) {
      // `export default <expression>` → `void           <expression>`.
      const keyword = node.getStart(source);
      statement(node, [[keyword, node.expression.getStart(source), "void"]]);
      continue;
    }
    const modifiers = ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []) : [];
    const exported = modifiers.filter((m) => m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword);
    statement(
      node,
      exported.map((m) => [m.getStart(source), m.end] as const),
    );
  }
  emit("}");
  return { name, text: `${lines.join("\n")}\n`, readmeLine: (line) => origin[line - 1] };
}

/** tsc's `file(line,col): error TSxxxx: message` lines (`--pretty false`), continuation lines folded in. */
export function parseTscErrors(output: string): TscError[] {
  const errors: TscError[] = [];
  for (const line of output.split("\n")) {
    const match = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    if (match) errors.push({ file: match[1]!, line: Number(match[2]), column: Number(match[3]), code: match[4]!, message: match[5]! });
    else if (line.startsWith(" ") && errors.length > 0) errors.at(-1)!.message += `\n${line}`;
    else if (/^error TS\d+/.test(line))
      errors.push({ file: "", line: 0, column: 0, code: line.slice(6, line.indexOf(":")), message: line });
  }
  return errors;
}
