import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { getPrisma } from "@gatehouse/db";
import { call, unique } from "./helpers";

/** Shared by the email-verification suites: a capturing SMTP server, tenants and users. */

export interface CapturedMail {
  to: string[];
  raw: string;
}

export interface SmtpCapture {
  url: string;
  port: number;
  messages: CapturedMail[];
  /** While true, the server answers DATA with 451 (the mail is not taken). */
  refuse: boolean;
  /** The mails sent to `to` so far. */
  mailsTo(to: string): CapturedMail[];
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1 (random port) capturing every message it takes. */
export async function startSmtpCapture(port = 0): Promise<SmtpCapture> {
  const capture: SmtpCapture = {
    url: "",
    port: 0,
    messages: [],
    refuse: false,
    mailsTo: (to) => capture.messages.filter((m) => m.to.includes(to.toLowerCase())),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    disableReverseLookup: true,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        if (capture.refuse) {
          callback(Object.assign(new Error("Mailbox temporarily unavailable"), { responseCode: 451 }));
          return;
        }
        // pushed before the 250 reply, so it is here when send() resolves
        capture.messages.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), raw: Buffer.concat(chunks).toString("utf8") });
        callback();
      });
    },
  });
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  capture.port = (server.server.address() as AddressInfo).port;
  capture.url = `smtp://127.0.0.1:${capture.port}`;
  return capture;
}

function decodeQuotedPrintable(input: string): string {
  const soft = input.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const hex = soft.slice(i + 1, i + 3);
    if (soft[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i]!, "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** The decoded text/plain part of a raw message (nodemailer's multipart/alternative). */
export function plainTextOf(raw: string): string {
  const sections = raw.split(/\r?\n--[^\r\n]+\r?\n/);
  for (const section of sections) {
    const split = /\r?\n\r?\n/.exec(section);
    if (!split) continue;
    const head = section.slice(0, split.index).replace(/\r?\n[ \t]+/g, " ");
    if (!/^content-type:\s*text\/plain/im.test(head)) continue;
    const body = section.slice(split.index + split[0].length).replace(/\r?\n--[^\r\n]+--\s*$/, "");
    const encoding = /^content-transfer-encoding:\s*([\w-]+)/im.exec(head)?.[1]?.toLowerCase();
    if (encoding === "quoted-printable") return decodeQuotedPrintable(body);
    if (encoding === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
    return body;
  }
  throw new Error("no text/plain part in the captured mail");
}

/** The code: the plain-text part's only run of 6 digits (CONTRACT "clientEmailVerification"). */
export function codeOf(mail: CapturedMail): string {
  const runs = plainTextOf(mail.raw).match(/\p{Nd}{6,}/gu) ?? [];
  if (runs.length !== 1 || !/^\d{6}$/.test(runs[0]!)) throw new Error(`expected one run of 6 digits, found ${JSON.stringify(runs)}`);
  return runs[0]!;
}

/** The code of the latest mail to `to`. */
export function latestCode(smtp: SmtpCapture, to: string): string {
  const mails = smtp.mailsTo(to);
  const last = mails[mails.length - 1];
  if (!last) throw new Error(`no mail to ${to}`);
  return codeOf(last);
}

export async function createTenant(data: { allowedEmailDomains?: string[]; locale?: "ko" | "en"; name?: string } = {}) {
  const key = unique("ev").slice(0, 32);
  return getPrisma().tenant.create({
    data: { key, name: data.name ?? `Tenant ${key}`, allowedEmailDomains: data.allowedEmailDomains ?? [], locale: data.locale ?? "en" },
  });
}

export interface SignedUp {
  accessToken: string;
  userId: string;
  id: string;
  email: string;
}

/** A self-signed-up user (clientAuth.signUp over HTTP). */
export async function signUpUser(baseUrl: string, tenantKey: string, options: { userId?: string; email?: string } = {}): Promise<SignedUp> {
  const userId = options.userId ?? unique("u").slice(0, 24);
  const email = options.email ?? `${unique("m")}@example.com`;
  const res = await call<{ accessToken: string; user: { id: string } }>(baseUrl, "clientAuth.signUp", {
    tenantKey,
    userId,
    password: "a-Long-unusual-passphrase-42",
    displayName: "Test User",
    email,
  });
  if (res.status !== 200) throw new Error(`signUp failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { accessToken: res.data.accessToken, userId, id: res.data.user.id, email };
}

export const sendCode = (baseUrl: string, token: string, email: string) =>
  call<{ expiresAt: string; nextResendAvailableAt: string }>(baseUrl, "clientEmailVerification.sendVerification", { email }, { token });

export const verifyCode = (baseUrl: string, token: string, code: unknown) =>
  call<{ user: { email: string; emailVerifiedAt: string | null }; accessToken: string; accessTokenExpiresAt: string }>(
    baseUrl,
    "clientEmailVerification.verifyEmail",
    { code },
    { token },
  );

/** A 6-digit code that is not `code`. */
export const wrongCode = (code: string, n = 1) => ((Number(code) + n) % 1_000_000).toString().padStart(6, "0");

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
