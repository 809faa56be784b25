import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { parseMail, verificationCodeOf } from "./mime";

export { decodeWords, parseMail, verificationCodeOf, type ParsedMail } from "./mime";

/** A message the catcher took, with its envelope and its decoded parts. */
export interface CapturedMail {
  /** Envelope sender, or null. */
  from: string | null;
  /** Envelope recipients, lower-cased. */
  to: string[];
  /** The message as received. */
  raw: string;
  subject: string;
  /** The text/plain part, decoded ("" when there is none). */
  text: string;
  /** The text/html part, decoded ("" when there is none). */
  html: string;
}

export interface MailCatcher {
  url: string;
  port: number;
  /** Every message taken, in order; a message is here before the server answers 250. */
  messages: CapturedMail[];
  /** While true, DATA is answered 451 and nothing is taken (a mail outage). */
  refuse: boolean;
  /** While true, every recipient is refused with 550. */
  rejectRecipients: boolean;
  /** The messages sent to `to` so far. */
  mailsTo(to: string): CapturedMail[];
  /** The verification code in the latest message to `to`. */
  latestCode(to: string): string;
  close(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 (a random port unless `port` is given) capturing every
 * message. `smtp` overrides or adds smtp-server options (authentication, other handlers).
 */
export async function startMailCatcher(options: { port?: number; smtp?: SMTPServerOptions } = {}): Promise<MailCatcher> {
  const catcher: MailCatcher = {
    url: "",
    port: 0,
    messages: [],
    refuse: false,
    rejectRecipients: false,
    mailsTo: (to) => catcher.messages.filter((m) => m.to.includes(to.toLowerCase())),
    latestCode: (to) => {
      const last = catcher.mailsTo(to).at(-1);
      if (!last) throw new Error(`no mail to ${to}`);
      return verificationCodeOf(last.raw);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    disableReverseLookup: true,
    onRcptTo(_address, _session, callback) {
      if (catcher.rejectRecipients) callback(Object.assign(new Error("Mailbox unavailable"), { responseCode: 550 }));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        if (catcher.refuse) {
          callback(Object.assign(new Error("Mailbox temporarily unavailable"), { responseCode: 451 }));
          return;
        }
        const raw = Buffer.concat(chunks).toString("utf8");
        const parsed = parseMail(raw);
        catcher.messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          raw,
          subject: parsed.subject,
          text: parsed.text ?? "",
          html: parsed.html ?? "",
        });
        callback();
      });
    },
    ...options.smtp,
  });
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", () => resolve()));
  catcher.port = (server.server.address() as AddressInfo).port;
  catcher.url = `smtp://127.0.0.1:${catcher.port}`;
  return catcher;
}
