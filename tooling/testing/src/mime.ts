/**
 * A deliberately small RFC 822 / MIME reader for the tests: enough for what nodemailer
 * writes (multipart/alternative, quoted-printable or base64 parts, encoded-word subjects).
 */

export interface MimePart {
  headers: Map<string, string>;
  contentType: string;
  body: string;
  parts: MimePart[];
}

export interface ParsedMail {
  headers: Map<string, string>;
  subject: string;
  text: string | null;
  html: string | null;
}

function splitHead(raw: string): { head: string; body: string } {
  const match = /\r?\n\r?\n/.exec(raw);
  if (!match) return { head: raw, body: "" };
  return { head: raw.slice(0, match.index), body: raw.slice(match.index + match[0].length) };
}

function parseHeaders(head: string): Map<string, string> {
  const headers = new Map<string, string>();
  const unfolded = head.replace(/\r?\n[ \t]+/g, " ");
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function param(value: string, name: string): string | null {
  const match = new RegExp(`;\\s*${name}="?([^";]+)"?`, "i").exec(value);
  return match?.[1] ?? null;
}

function decodeQuotedPrintable(input: string): Buffer {
  const soft = input.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const ch = soft[i]!;
    if (ch === "=" && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(ch, "utf8"));
    }
  }
  return Buffer.from(bytes);
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? "7bit").toLowerCase()) {
    case "base64":
      return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
    case "quoted-printable":
      return decodeQuotedPrintable(body).toString("utf8");
    default:
      return body;
  }
}

/** Decodes RFC 2047 encoded words (=?UTF-8?B?...?= / =?UTF-8?Q?...?=). */
export function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_all, _charset: string, kind: string, data: string) =>
      kind.toUpperCase() === "B"
        ? Buffer.from(data, "base64").toString("utf8")
        : decodeQuotedPrintable(data.replace(/_/g, " ")).toString("utf8"),
    );
}

export function parsePart(raw: string): MimePart {
  const { head, body } = splitHead(raw);
  const headers = parseHeaders(head);
  const contentType = (headers.get("content-type") ?? "text/plain").split(";")[0]!.trim().toLowerCase();
  if (contentType.startsWith("multipart/")) {
    const boundary = param(headers.get("content-type") ?? "", "boundary");
    if (!boundary) throw new Error("multipart without boundary");
    const sections = body.split(new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:--)?[ \\t]*\\r?\\n?`));
    const parts = sections.slice(1).filter((s) => s.trim() !== "").map(parsePart);
    return { headers, contentType, body: "", parts };
  }
  return { headers, contentType, body: decodeBody(body, headers.get("content-transfer-encoding")), parts: [] };
}

function find(part: MimePart, type: string): MimePart | null {
  if (part.contentType === type) return part;
  for (const child of part.parts) {
    const hit = find(child, type);
    if (hit) return hit;
  }
  return null;
}

export function parseMail(raw: string | Buffer): ParsedMail {
  const root = parsePart(typeof raw === "string" ? raw : raw.toString("utf8"));
  return {
    headers: root.headers,
    subject: decodeWords(root.headers.get("subject") ?? ""),
    text: find(root, "text/plain")?.body ?? null,
    html: find(root, "text/html")?.body ?? null,
  };
}

/**
 * The verification code of a mail: its plain-text part's only run of 6 digits (CONTRACT
 * "clientEmailVerification"); throws when there is not exactly one.
 */
export function verificationCodeOf(raw: string | Buffer): string {
  const runs = parseMail(raw).text?.match(/\p{Nd}{6,}/gu) ?? [];
  if (runs.length !== 1 || !/^\d{6}$/.test(runs[0]!)) throw new Error(`expected one run of 6 digits, found ${JSON.stringify(runs)}`);
  return runs[0]!;
}
