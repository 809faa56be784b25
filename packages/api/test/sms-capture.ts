import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local SMS gateway for the suites: SMS_URL's JSON webhook (`POST {to, text, tenantKey}`, CONTRACT
 * v2 "SMS delivery"), keeping every post, or answering `failWith` (a status) and keeping nothing.
 */

interface CapturedSms {
  to: string;
  text: string;
  tenantKey: string;
}

export interface SmsCapture {
  url: string;
  messages: CapturedSms[];
  /** While set, every post is answered with this status and not kept. */
  failWith: number | null;
  /** The texts sent to `phone` (E.164), oldest first. */
  textsTo(phone: string): CapturedSms[];
  /** The only 6-digit run of the latest text to `phone` (throws when there is none or several). */
  latestCode(phone: string): string;
  close(): Promise<void>;
}

export async function startSmsCapture(): Promise<SmsCapture> {
  const messages: CapturedSms[] = [];
  const capture: SmsCapture = {
    url: "",
    messages,
    failWith: null,
    textsTo: (phone) => messages.filter((m) => m.to === phone),
    latestCode(phone) {
      const texts = capture.textsTo(phone);
      const text = texts[texts.length - 1]?.text ?? "";
      const runs = text.match(/\d{6,}/g) ?? [];
      if (runs.length !== 1) throw new Error(`expected one 6-digit run in the latest text to ${phone}: ${JSON.stringify(text)}`);
      return runs[0]!;
    },
    close: () => Promise.resolve(),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (capture.failWith !== null) {
        res.statusCode = capture.failWith;
        res.end('{"error":"refused"}');
        return;
      }
      messages.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as CapturedSms);
      res.setHeader("content-type", "application/json");
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  capture.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
  capture.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return capture;
}

/** A fresh Korean mobile number (010-xxxx-xxxx), E.164. */
export const newKoreanMobile = () => `+8210${String(Math.floor(10_000_000 + Math.random() * 89_999_999))}`;
