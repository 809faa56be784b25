import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  createMailer,
  isMailUnavailable,
  MailUnavailableError,
  renderManagerInvitationEmail,
  renderVerificationEmail,
  type Mailer,
} from "../src/index";
import { smtpOptionsFromUrl } from "../src/transport";
import { parseMail, startMailCatcher, type MailCatcher } from "@gatehouse/testing/mail";
import { closedPort, startDroppingServer, startSilentServer } from "./smtp";

const FROM = "Gatehouse <no-reply@gatehouse.test>";
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

function track<T extends Mailer | MailCatcher>(thing: T): T {
  cleanups.push(() => thing.close());
  return thing;
}

async function verificationMail(code = "482915") {
  return renderVerificationEmail({ locale: "ko", code, ttlMinutes: 10, tenantName: "Acme" });
}

/** Runs the promise and returns what it rejected with and how long that took. */
async function failure(promise: Promise<unknown>): Promise<{ err: unknown; ms: number }> {
  const started = performance.now();
  try {
    await promise;
  } catch (err) {
    return { err, ms: performance.now() - started };
  }
  throw new Error("expected a rejection");
}

describe("SMTP transport", () => {
  it("delivers through a real SMTP server; the parsed text part holds the code as its only 6-digit run", async () => {
    const server = track(await startMailCatcher());
    const mailer = track(createMailer({ smtpUrl: server.url, from: FROM }));
    expect(mailer.kind).toBe("smtp");
    await mailer.verify();

    const mail = await verificationMail("730215");
    const { messageId } = await mailer.send({ to: "user@example.com", ...mail });
    expect(messageId).toMatch(/^<.+@.+>$/);

    expect(server.messages).toHaveLength(1);
    const captured = server.messages[0]!;
    expect(captured.to).toEqual(["user@example.com"]);
    expect(captured.from).toBe("no-reply@gatehouse.test");

    const parsed = parseMail(captured.raw);
    expect(parsed.subject).toBe("[Acme] 이메일 인증 코드");
    expect(parsed.text).not.toBeNull();
    expect(parsed.text!.match(/\d{6,}/g)).toEqual(["730215"]);
    expect(parsed.text).toContain("10분 후에 만료");
    expect(parsed.html).toContain(">730215</p>");
  });

  it("sends several messages over the pool", async () => {
    const server = track(await startMailCatcher());
    const mailer = track(createMailer({ smtpUrl: server.url, from: FROM }));
    const codes = ["000000", "111111", "204060", "999999"];
    await Promise.all(codes.map(async (code, i) => mailer.send({ to: `u${i}@example.com`, ...(await verificationMail(code)) })));
    const texts = server.messages.map((m) => parseMail(m.raw).text ?? "");
    expect(texts.map((t) => t.match(/\d{6,}/g)?.[0]).sort()).toEqual([...codes].sort());
  });

  it("delivers the invitation with its password", async () => {
    const server = track(await startMailCatcher());
    const mailer = track(createMailer({ smtpUrl: server.url, from: FROM }));
    const mail = await renderManagerInvitationEmail({
      locale: "en",
      tenantName: "Acme",
      tenantKey: "acme",
      userId: "sam.lee",
      displayName: "Sam Lee",
      appUrl: null,
      temporaryPassword: "Zx9=Qp!r 7w",
    });
    await mailer.send({ to: "sam@example.com", ...mail });
    const parsed = parseMail(server.messages[0]!.raw);
    expect(parsed.subject).toBe("Your Acme manager account is ready");
    expect(parsed.text).toContain("Zx9=Qp!r 7w");
  });

  it("logs in with the percent-decoded credentials of the URL", async () => {
    const seen: { username?: string | null | undefined; password?: string | null | undefined }[] = [];
    const server = track(
      await startMailCatcher({
        smtp: {
          authOptional: false,
          allowInsecureAuth: true,
          onAuth(auth, _session, callback) {
            seen.push({ username: auth.username, password: auth.password });
            if (auth.username === "mailer" && auth.password === "p@ss:w/rd") callback(null, { user: "mailer" });
            else callback(new Error("Invalid username or password"));
          },
        },
      }),
    );
    const good = track(createMailer({ smtpUrl: `smtp://mailer:p%40ss%3Aw%2Frd@127.0.0.1:${server.port}`, from: FROM }));
    await good.send({ to: "user@example.com", ...(await verificationMail()) });
    expect(server.messages).toHaveLength(1);
    expect(seen[0]).toEqual({ username: "mailer", password: "p@ss:w/rd" });

    const bad = track(createMailer({ smtpUrl: `smtp://mailer:wrong@127.0.0.1:${server.port}`, from: FROM }));
    const { err } = await failure(bad.send({ to: "user@example.com", ...(await verificationMail()) }));
    expect(err).toBeInstanceOf(MailUnavailableError);
    expect((err as MailUnavailableError).code).toBe("EAUTH");
    expect(String((err as Error).message)).not.toContain("wrong");
    await expect(bad.verify()).rejects.toBeInstanceOf(MailUnavailableError);
  });

  it("fails fast with MailUnavailableError on a closed port", async () => {
    const port = await closedPort();
    const mailer = track(createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from: FROM }));
    const { err, ms } = await failure(mailer.send({ to: "user@example.com", ...(await verificationMail()) }));
    expect(isMailUnavailable(err)).toBe(true);
    expect(err).toBeInstanceOf(MailUnavailableError);
    expect((err as MailUnavailableError).cause).toBeInstanceOf(Error);
    expect(ms).toBeLessThan(4_000);
    await expect(mailer.verify()).rejects.toBeInstanceOf(MailUnavailableError);
  });

  it("gives up on a server that never greets, within the greeting timeout", async () => {
    const silent = await startSilentServer();
    cleanups.push(() => silent.close());
    const mailer = track(createMailer({ smtpUrl: `smtp://127.0.0.1:${silent.port}`, from: FROM }));
    const { err, ms } = await failure(mailer.send({ to: "user@example.com", ...(await verificationMail()) }));
    expect(err).toBeInstanceOf(MailUnavailableError);
    expect(ms).toBeLessThan(4_500);
  });

  it("settles with MailUnavailableError when the server drops the connection mid-DATA", async () => {
    const dropper = await startDroppingServer();
    cleanups.push(() => dropper.close());
    const mailer = track(createMailer({ smtpUrl: `smtp://127.0.0.1:${dropper.port}`, from: FROM }));
    const { err, ms } = await failure(mailer.send({ to: "user@example.com", ...(await verificationMail()) }));
    expect(err).toBeInstanceOf(MailUnavailableError);
    expect(ms).toBeLessThan(4_000);
    expect(dropper.connections()).toBeLessThanOrEqual(2);
  });

  it("turns a 5xx RCPT rejection into MailUnavailableError", async () => {
    const server = track(
      await startMailCatcher({
        smtp: {
          onRcptTo(_address, _session, callback) {
            callback(Object.assign(new Error("5.1.1 No such user here"), { responseCode: 550 }));
          },
        },
      }),
    );
    const mailer = track(createMailer({ smtpUrl: server.url, from: FROM }));
    const { err } = await failure(mailer.send({ to: "nobody@example.com", ...(await verificationMail()) }));
    expect(err).toBeInstanceOf(MailUnavailableError);
    expect((err as MailUnavailableError).responseCode).toBe(550);
    expect(server.messages).toHaveLength(0);
  });

  it("turns a 4xx DATA rejection into MailUnavailableError", async () => {
    const server = track(
      await startMailCatcher({
        smtp: {
          onData(stream, _session, callback) {
            stream.on("end", () => callback(Object.assign(new Error("4.3.0 Try again later"), { responseCode: 451 })));
            stream.resume();
          },
        },
      }),
    );
    const mailer = track(createMailer({ smtpUrl: server.url, from: FROM }));
    const { err } = await failure(mailer.send({ to: "user@example.com", ...(await verificationMail()) }));
    expect(err).toBeInstanceOf(MailUnavailableError);
    expect((err as MailUnavailableError).responseCode).toBe(451);
  });

  it("turns a 5xx MAIL FROM rejection into MailUnavailableError", async () => {
    const server = track(
      await startMailCatcher({
        smtp: {
          onMailFrom(_address, _session, callback) {
            callback(Object.assign(new Error("5.7.1 Sender not allowed"), { responseCode: 553 }));
          },
        },
      }),
    );
    const mailer = track(createMailer({ smtpUrl: server.url, from: FROM }));
    const { err } = await failure(mailer.send({ to: "user@example.com", ...(await verificationMail()) }));
    expect(err).toBeInstanceOf(MailUnavailableError);
    expect((err as MailUnavailableError).responseCode).toBe(553);
  });

  it("uses STARTTLS with a loopback server's self-signed certificate, and can insist on verifying it", async () => {
    const server = track(await startMailCatcher({ smtp: { disabledCommands: [], hideSTARTTLS: false } }));
    const mailer = track(createMailer({ smtpUrl: server.url, from: FROM }));
    await mailer.send({ to: "user@example.com", ...(await verificationMail()) });
    expect(server.messages).toHaveLength(1);

    const strict = track(createMailer({ smtpUrl: `${server.url}?rejectUnauthorized=true`, from: FROM }));
    const { err } = await failure(strict.send({ to: "user@example.com", ...(await verificationMail()) }));
    expect(err).toBeInstanceOf(MailUnavailableError);
  });

  it("rejects sends after close()", async () => {
    const server = track(await startMailCatcher());
    const mailer = createMailer({ smtpUrl: server.url, from: FROM });
    await mailer.close();
    await expect(mailer.send({ to: "user@example.com", ...(await verificationMail()) })).rejects.toBeInstanceOf(MailUnavailableError);
  });
});

describe("SMTP URL handling", () => {
  it("uses bounded timeouts and a pool", () => {
    const options = smtpOptionsFromUrl("smtp://127.0.0.1:2525");
    expect(options).toMatchObject({
      pool: true,
      host: "127.0.0.1",
      port: 2525,
      secure: false,
      connectionTimeout: 3_000,
      greetingTimeout: 3_000,
      socketTimeout: 5_000,
    });
    expect(options.auth).toBeUndefined();
    expect(options.maxRequeues).toBe(1);
  });

  it("reads smtps, default ports, credentials and certificate checks", () => {
    expect(smtpOptionsFromUrl("smtps://u:p%20w@mail.example.com")).toMatchObject({
      secure: true,
      port: 465,
      host: "mail.example.com",
      auth: { user: "u", pass: "p w" },
      tls: { rejectUnauthorized: true, servername: "mail.example.com" },
    });
    expect(smtpOptionsFromUrl("smtp://mail.example.com")).toMatchObject({ secure: false, port: 587 });
    expect(smtpOptionsFromUrl("smtp://localhost:25").tls).toMatchObject({ rejectUnauthorized: false });
    expect(smtpOptionsFromUrl("smtp://[::1]:25")).toMatchObject({ host: "::1", tls: { rejectUnauthorized: false } });
    expect(smtpOptionsFromUrl("smtp://mail.example.com?requireTLS=true")).toMatchObject({ requireTLS: true });
  });

  it("refuses other schemes without echoing the URL (it may hold a password)", () => {
    expect(() => createMailer({ smtpUrl: "http://user:s3cret@mail.example.com", from: FROM })).toThrow(/smtp:\/\/ or smtps:\/\//);
    try {
      createMailer({ smtpUrl: "http://user:s3cret@mail.example.com", from: FROM });
    } catch (err) {
      expect(isMailUnavailable(err)).toBe(false);
      expect(String(err)).not.toContain("s3cret");
    }
    expect(() => createMailer({ smtpUrl: "not a url s3cret", from: FROM })).toThrow(/not a valid URL/);
  });

  it("needs smtpUrl or fileDir, and a sender", () => {
    expect(() => createMailer({ from: FROM })).toThrow(/smtpUrl/);
    expect(() => createMailer({ smtpUrl: "smtp://127.0.0.1:25", from: " " })).toThrow(/from/);
  });
});

describe("file transport", () => {
  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "gatehouse-mail-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  it("writes a parseable .eml and logs only its name", async () => {
    const dir = join(await tempDir(), "mail");
    const lines: { msg: string; fields?: object | undefined }[] = [];
    const mailer = track(createMailer({ fileDir: dir, from: FROM, log: (msg, fields) => lines.push({ msg, fields }) }));
    expect(mailer.kind).toBe("file");
    await mailer.verify();

    const mail = await verificationMail("602718");
    const { messageId } = await mailer.send({ to: "user@example.com", ...mail });
    expect(messageId).toMatch(/^<.+>$/);

    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
    const path = join(dir, files[0]!);
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    const raw = await readFile(path);
    expect(raw.toString("latin1")).toMatch(/\r\n\r\n/); // RFC 822 line endings
    const parsed = parseMail(raw);
    expect(parsed.headers.get("to")).toBe("user@example.com");
    expect(parsed.headers.get("from")).toBe(FROM);
    expect(parsed.headers.get("message-id")).toBe(messageId);
    expect(parsed.subject).toBe(mail.subject);
    expect(parsed.text!.match(/\d{6,}/g)).toEqual(["602718"]);
    expect(parsed.html).toContain(">602718</p>");

    expect(lines).toHaveLength(1);
    const logged = JSON.stringify(lines);
    expect(logged).toContain(files[0]);
    expect(logged).not.toContain("602718");
    expect(logged).not.toContain(mail.text.slice(0, 20));
  });

  it("never logs the temporary password", async () => {
    const dir = await tempDir();
    const lines: unknown[] = [];
    const mailer = track(createMailer({ fileDir: dir, from: FROM, log: (msg, fields) => lines.push([msg, fields]) }));
    const mail = await renderManagerInvitationEmail({
      locale: "ko",
      tenantName: "Acme",
      tenantKey: "acme",
      userId: "jiwoo",
      displayName: "김지우",
      appUrl: "https://app.acme.example",
      temporaryPassword: "Tq7-mVr2-Hx9p",
    });
    await mailer.send({ to: "jiwoo@example.com", ...mail });
    const [file] = await readdir(dir);
    expect(parseMail(await readFile(join(dir, file!))).text).toContain("Tq7-mVr2-Hx9p");
    expect(JSON.stringify(lines)).not.toContain("Tq7-mVr2-Hx9p");
  });

  it("throws MailUnavailableError when the folder cannot be written", async () => {
    const blocker = join(await tempDir(), "not-a-dir");
    await writeFile(blocker, "x");
    const mailer = track(createMailer({ fileDir: join(blocker, "mail"), from: FROM }));
    await expect(mailer.send({ to: "user@example.com", ...(await verificationMail()) })).rejects.toBeInstanceOf(MailUnavailableError);
    await expect(mailer.verify()).rejects.toBeInstanceOf(MailUnavailableError);
  });
});

describe("MailUnavailableError", () => {
  it("keeps the cause and its codes", () => {
    const cause = Object.assign(new Error("Connection refused"), { code: "ECONNECTION", responseCode: 421 });
    const err = MailUnavailableError.from(cause);
    expect(err.cause).toBe(cause);
    expect(err.code).toBe("ECONNECTION");
    expect(err.responseCode).toBe(421);
    expect(err.name).toBe("MailUnavailableError");
    expect(MailUnavailableError.from(err)).toBe(err);
  });

  it("is recognised by isMailUnavailable only", () => {
    expect(isMailUnavailable(new MailUnavailableError("x"))).toBe(true);
    expect(isMailUnavailable(new Error("x"))).toBe(false);
    expect(isMailUnavailable({ name: "MailUnavailableError" })).toBe(false);
    expect(isMailUnavailable(null)).toBe(false);
  });
});
