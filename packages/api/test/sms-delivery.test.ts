import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmsCapture, startSolapiFake, startTwilioFake, type SmsGatewayFake } from "@gatehouse/provider-stand-ins";
import { ConfigError, loadConfig, setConfig, type Config } from "../src/config";
import { createLogger, getLogger, setLogger } from "../src/lib/log";
import { getSmsSender, maskPhone, SmsDeliveryError, type SmsMessage } from "../src/lib/sms";
import { solapiAuthorization } from "../src/lib/sms/solapi";
import { parseSmsUrl } from "../src/lib/sms/url";

/**
 * CONTRACT v2 "SMS delivery": every SMS_URL form against a local fake speaking the real API
 * (the JSON capture, Twilio, Solapi), the dev files sender, and SMS_URL's parsing at start.
 */
const message: SmsMessage = { to: "+821012345678", text: "[Gatehouse] 인증번호 [482913] 5분 안에 입력하세요.", tenantKey: "acme" };

function useConfig(env: Record<string, string>, mode: Config["mode"] = "test"): Config {
  return setConfig(
    loadConfig({ ...process.env, SMS_URL: "", SMS_DIR: "", ...env, OUTBOUND_TIMEOUT_MS: env.OUTBOUND_TIMEOUT_MS ?? "800" }, mode),
  );
}

async function failure(send: Promise<void>): Promise<SmsDeliveryError> {
  const error = await send.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SmsDeliveryError);
  return error as SmsDeliveryError;
}

const sender = () => {
  const s = getSmsSender();
  if (!s) throw new Error("expected an SMS sender");
  return s;
};

describe("SMS_URL parsing", () => {
  it("reads every form", () => {
    expect(parseSmsUrl("http://127.0.0.1:2526/sms")).toEqual({ kind: "webhook", url: "http://127.0.0.1:2526/sms" });
    expect(parseSmsUrl("https://sms.example.com/hook?k=1")).toEqual({ kind: "webhook", url: "https://sms.example.com/hook?k=1" });
    expect(parseSmsUrl("twilio://AC123:tok%2Fen@+15017122661")).toEqual({
      kind: "twilio",
      accountSid: "AC123",
      authToken: "tok/en",
      from: "+15017122661",
    });
    expect(parseSmsUrl("solapi://KEY:SECRET@0212345678")).toEqual({
      kind: "solapi",
      apiKey: "KEY",
      apiSecret: "SECRET",
      from: "0212345678",
    });
  });

  it.each([
    ["not a url", "not a URL"],
    ["ftp://host/sms", "must be"],
    ["twilio://+15017122661", "credentials"],
    ["twilio://AC:@+15017122661", "credentials"],
    ["solapi://k:s@", "not a URL"],
    ["solapi://k:s@a.b", "sender number"],
    ["solapi://k:s@0212345678/extra", "sender number"],
  ])("refuses %s at start with one line that never echoes it", (value, words) => {
    let error: unknown;
    try {
      loadConfig({ SMS_URL: value }, "production");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as Error).message;
    expect(text).toContain("SMS_URL");
    expect(text).toContain(words);
    expect(text).not.toContain("\n");
    if (value.includes("://")) expect(text).not.toContain(value);
  });

  it("unset: files in development, none in production and tests", () => {
    useConfig({}, "production");
    expect(getSmsSender()).toBeNull();
    useConfig({}, "test");
    expect(getSmsSender()).toBeNull();
    useConfig({ SMS_DIR: path.join(tmpdir(), "unused-sms") }, "development");
    expect(getSmsSender()?.kind).toBe("files");
  });

  it("masks numbers for logs", () => {
    expect(maskPhone("+821012345678")).toBe("+8210****5678");
    expect(maskPhone("+15017122661")).toBe("+1501****2661");
    expect(maskPhone("12345")).toBe("****45");
  });
});

describe("files sender (pnpm dev)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "gatehouse-sms-"));
  const lines: string[] = [];
  let previous: ReturnType<typeof getLogger>;
  beforeAll(() => {
    previous = getLogger();
    setLogger(
      createLogger({
        level: "info",
        destination: new Writable({
          write(chunk: Buffer, _encoding, done) {
            lines.push(chunk.toString());
            done();
          },
        }),
      }),
    );
  });
  const files = () => readdirSync(dir).sort();
  afterAll(() => {
    setLogger(previous);
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes one private JSON file per message and logs its name, never the code or the number", async () => {
    useConfig({ SMS_DIR: dir }, "development");
    await sender().send(message);
    await sender().send({ ...message, text: "second 111222" });
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    const first = JSON.parse(readFileSync(path.join(dir, files[0] ?? ""), "utf8")) as SmsMessage;
    expect(first).toEqual({ to: message.to, tenantKey: "acme", text: message.text });
    expect(statSync(path.join(dir, files[0] ?? "")).mode & 0o777).toBe(0o600);
    await new Promise((r) => setTimeout(r, 50));
    const log = lines.join("");
    expect(log).toContain(files[0]);
    expect(log).not.toContain("482913");
    expect(log).not.toContain("12345678");
  });

  it("an unwritable folder is a delivery failure, not a crash", async () => {
    useConfig({ SMS_DIR: path.join(dir, files()[0] ?? "", "sms") }, "development");
    expect((await failure(sender().send(message))).kind).toBe("unreachable");
  });
});

describe("JSON webhook", () => {
  let capture: SmsGatewayFake;
  beforeAll(async () => {
    capture = await startSmsCapture();
  });
  afterAll(() => capture.stop());

  it("posts {to, text, tenantKey}; any 2xx is delivered", async () => {
    useConfig({ SMS_URL: capture.url });
    expect(sender().kind).toBe("webhook");
    await sender().send(message);
    expect(capture.messages.at(-1)).toMatchObject({ to: message.to, text: message.text, tenantKey: "acme" });
  });

  it("4xx is refused, 5xx and no answer are unreachable", async () => {
    useConfig({ SMS_URL: capture.url });
    capture.setMode("refuse");
    expect((await failure(sender().send(message))).kind).toBe("refused");
    capture.setMode("down");
    expect((await failure(sender().send(message))).kind).toBe("unreachable");
    capture.setMode("hang");
    const started = Date.now();
    const timedOut = await failure(sender().send(message));
    expect(timedOut.kind).toBe("unreachable");
    expect(timedOut.message).toContain("800 ms");
    expect(Date.now() - started).toBeLessThan(3000);
    capture.setMode("ok");
  });

  it("a gateway that is not listening is unreachable", async () => {
    useConfig({ SMS_URL: "http://127.0.0.1:9/sms" });
    expect((await failure(sender().send(message))).kind).toBe("unreachable");
  });
});

describe("Twilio", () => {
  const account = { accountSid: `AC${"0123456789abcdef".repeat(2)}`, authToken: "twilio-auth-token-0123" };
  let twilio: SmsGatewayFake;
  beforeAll(async () => {
    twilio = await startTwilioFake(account);
  });
  afterAll(() => twilio.stop());

  it("sends To/From/Body with basic auth to the Messages API", async () => {
    useConfig({ SMS_URL: `twilio://${account.accountSid}:${account.authToken}@+15017122661`, TWILIO_API_URL: twilio.url });
    expect(sender().kind).toBe("twilio");
    await sender().send(message);
    expect(twilio.messages.at(-1)).toMatchObject({ to: "+821012345678", from: "+15017122661", text: message.text });
  });

  it("a Messaging Service SID goes as MessagingServiceSid", async () => {
    const service = `MG${"a".repeat(32)}`;
    useConfig({ SMS_URL: `twilio://${account.accountSid}:${account.authToken}@${service}`, TWILIO_API_URL: twilio.url });
    await sender().send(message);
    expect(twilio.messages.at(-1)?.from).toBe(service);
  });

  it("wrong credentials are refused with Twilio's error, and the token never appears in the error", async () => {
    useConfig({ SMS_URL: `twilio://${account.accountSid}:wrong-token@+15017122661`, TWILIO_API_URL: twilio.url });
    const error = await failure(sender().send(message));
    expect(error.kind).toBe("refused");
    expect(error.message).toContain("401");
    expect(error.message).toContain("20003");
    expect(error.message).not.toContain("wrong-token");
  });

  it("refused (4xx), down (5xx) and hanging", async () => {
    useConfig({ SMS_URL: `twilio://${account.accountSid}:${account.authToken}@+15017122661`, TWILIO_API_URL: twilio.url });
    twilio.setMode("refuse");
    const refused = await failure(sender().send(message));
    expect(refused.kind).toBe("refused");
    expect(refused.message).toContain("21610");
    twilio.setMode("down");
    expect((await failure(sender().send(message))).kind).toBe("unreachable");
    twilio.setMode("hang");
    expect((await failure(sender().send(message))).kind).toBe("unreachable");
    twilio.setMode("ok");
  });
});

describe("Solapi", () => {
  const account = { apiKey: "NCSSTANDINKEY0001", apiSecret: "solapi-secret-0123456789abcdef" };
  let solapi: SmsGatewayFake;
  beforeAll(async () => {
    solapi = await startSolapiFake(account);
  });
  afterAll(() => solapi.stop());

  it("signs with HMAC-SHA256 and sends a Korean number in its national form", async () => {
    useConfig({ SMS_URL: `solapi://${account.apiKey}:${account.apiSecret}@0212345678`, SOLAPI_API_URL: solapi.url });
    expect(sender().kind).toBe("solapi");
    await sender().send(message);
    expect(solapi.messages.at(-1)).toMatchObject({ to: "01012345678", from: "0212345678", text: message.text });
    expect(solapi.messages.at(-1)?.country).toBeUndefined();
  });

  it("another country's number goes with its calling code", async () => {
    useConfig({ SMS_URL: `solapi://${account.apiKey}:${account.apiSecret}@0212345678`, SOLAPI_API_URL: solapi.url });
    await sender().send({ ...message, to: "+14155550123" });
    expect(solapi.messages.at(-1)).toMatchObject({ to: "4155550123", country: "1" });
  });

  it("a wrong secret fails the signature check (refused; the secret never in the error)", async () => {
    useConfig({ SMS_URL: `solapi://${account.apiKey}:not-the-secret@0212345678`, SOLAPI_API_URL: solapi.url });
    const error = await failure(sender().send(message));
    expect(error.kind).toBe("refused");
    expect(error.message).toContain("SignatureDoesNotMatch");
    expect(error.message).not.toContain("not-the-secret");
  });

  it("the fake refuses a stale date and a reused salt, as Solapi does", async () => {
    const post = (authorization: string) =>
      fetch(`${solapi.url}/messages/v4/send`, {
        method: "POST",
        headers: { authorization, "content-type": "application/json" },
        body: JSON.stringify({ message: { to: "01012345678", from: "0212345678", text: "hi" } }),
      });
    const stale = await post(solapiAuthorization(account.apiKey, account.apiSecret, new Date(Date.now() - 3600_000).toISOString()));
    expect(stale.status).toBe(403);
    expect(((await stale.json()) as { errorCode: string }).errorCode).toBe("RequestTimeTooSkewed");
    const header = solapiAuthorization(account.apiKey, account.apiSecret);
    expect((await post(header)).status).toBe(200);
    const again = await post(header);
    expect(((await again.json()) as { errorCode: string }).errorCode).toBe("DuplicatedSignature");
  });

  it("refused (4xx), down (5xx) and hanging", async () => {
    useConfig({ SMS_URL: `solapi://${account.apiKey}:${account.apiSecret}@0212345678`, SOLAPI_API_URL: solapi.url });
    solapi.setMode("refuse");
    expect((await failure(sender().send(message))).kind).toBe("refused");
    solapi.setMode("down");
    expect((await failure(sender().send(message))).kind).toBe("unreachable");
    solapi.setMode("hang");
    expect((await failure(sender().send(message))).kind).toBe("unreachable");
    solapi.setMode("ok");
  });
});
