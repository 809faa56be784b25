import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";

/**
 * Reading the mail the tests capture, with mailparser. mailparser only parses asynchronously,
 * and these helpers are synchronous (tests call them inline, e.g. `verificationCodeOf(mail.raw)`),
 * so a worker thread (mime-worker.mjs) runs it while the caller waits on a shared flag.
 */

export interface ParsedMail {
  /** The top-level headers, names lower-cased, values unfolded and not decoded. */
  headers: Map<string, string>;
  /** The decoded subject ("" when there is none). */
  subject: string;
  /** The text/plain part, decoded (line ends as \n), or null when there is none. */
  text: string | null;
  /** The text/html part, decoded (line ends as \n), or null when there is none. */
  html: string | null;
}

type WorkerAnswer =
  { headerLines: { key: string; line: string }[]; subject: string; text: string | null; html: string | null } | { error: string };

const ANSWER_TIMEOUT_MS = 10_000;
let worker: Worker | undefined;

function parseInWorker(raw: string | Buffer): Exclude<WorkerAnswer, { error: string }> {
  if (!worker) {
    worker = new Worker(new URL("./mime-worker.mjs", import.meta.url));
    // Never keeps a test process alive by itself.
    worker.unref();
  }
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  try {
    worker.postMessage({ raw: typeof raw === "string" ? raw : new Uint8Array(raw), port: port2, signal }, [port2]);
    if (Atomics.wait(signal, 0, 0, ANSWER_TIMEOUT_MS) === "timed-out") throw new Error("mailparser did not answer within 10 s");
    const answer = receiveMessageOnPort(port1)?.message as WorkerAnswer | undefined;
    if (!answer) throw new Error("mailparser's worker answered nothing");
    if ("error" in answer) throw new Error(`mailparser: ${answer.error}`);
    return answer;
  } finally {
    port1.close();
  }
}

export function parseMail(raw: string | Buffer): ParsedMail {
  const { headerLines, subject, text, html } = parseInWorker(raw);
  const headers = new Map<string, string>();
  for (const { key, line } of headerLines) {
    const value = line
      .slice(line.indexOf(":") + 1)
      .replace(/\r?\n[ \t]+/g, " ")
      .trim();
    headers.set(key.toLowerCase(), value);
  }
  return { headers, subject, text, html };
}

/** Decodes RFC 2047 encoded words (=?UTF-8?B?...?= / =?UTF-8?Q?...?=), as mailparser reads a subject. */
export function decodeWords(value: string): string {
  return parseMail(`Subject: ${value.replace(/\r?\n/g, " ")}\r\n\r\n`).subject;
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
