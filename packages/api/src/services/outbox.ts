import { getPrisma, type Prisma } from "@gatehouse/db";
import type { MailMessage } from "@gatehouse/email";
import { getConfig } from "../config";
import { getLogger } from "../lib/log";
import { getMailer } from "../lib/mailer";
import { open, seal } from "../lib/secret-box";
import type { SmsMessage } from "../lib/sms";
import { releaseSmsSend, type SmsSend } from "../policy/otp-limiter";
import { recordSent } from "./message-stats";
import { sendSms } from "./sms";

/**
 * CONTRACT v2 "clientPasswordReset": the durable outbox. A request writes its message in its own
 * transaction (`enqueue`, sealed: it holds a code) and answers without waiting for delivery;
 * `deliverSoon` then delivers it at once in the background, and the worker (`startOutboxWorker`,
 * one per instance) retries what failed, with backoff, until it is delivered or given up. The
 * message is erased from the row either way.
 *
 * Claiming is one statement: due rows are picked `FOR UPDATE SKIP LOCKED` and leased (their
 * `nextAttemptAt` pushed past any delivery's time) before delivery starts, so several instances
 * never deliver one row twice and no transaction stays open during a network call. An instance
 * that dies mid-delivery leaves a lease that runs out, and the row is retried (at least once).
 */
export type OutboxInput =
  | {
      tenantId: string;
      channel: "sms";
      purpose: string;
      payload: SmsMessage;
      /** The volume-cap count this text took: given back if the message is given up (CONTRACT v2). */
      capCount?: SmsSend;
    }
  | {
      tenantId: string;
      channel: "email";
      purpose: string;
      /** The rendered mail. */
      payload: MailMessage;
      /** Counted as a code mail in tenants.stats once delivered (a reset code, not a notice). */
      codeMail?: boolean;
    };

type Sealed = { channel: "sms"; message: SmsMessage; capCount?: SmsSend } | { channel: "email"; mail: MailMessage; codeMail: boolean };

const SEAL_PURPOSE = "outbox";
/** Attempts before a message is given up (about three minutes of retries, under a code's life). */
export const OUTBOX_MAX_ATTEMPTS = 8;
const BACKOFF_CAP_SECONDS = 60;
/** Rows one worker pass claims at most. */
const BATCH = 20;

/** Seconds to wait after the n-th failed attempt: 2, 4, 8, … capped at a minute. */
function outboxBackoffSeconds(attempts: number): number {
  return Math.min(BACKOFF_CAP_SECONDS, 2 ** Math.max(1, attempts));
}

/** Longer than any one delivery can take, so a lease never runs out under a live attempt. */
const leaseMs = () => Math.max(60_000, 3 * getConfig().outboundTimeoutMs);

function secrets(): { current: string; all: (string | undefined)[] } {
  const { authSecret, authSecretPrevious } = getConfig();
  if (!authSecret) throw new Error("AUTH_SECRET is required to seal outbox messages");
  return { current: authSecret, all: [authSecret, authSecretPrevious] };
}

/** Writes the message, sealed, inside the caller's transaction; answers its id (for `deliverSoon` after the commit). */
export async function enqueue(tx: Prisma.TransactionClient, input: OutboxInput): Promise<string> {
  const sealed: Sealed =
    input.channel === "sms"
      ? { channel: "sms", message: input.payload, ...(input.capCount ? { capCount: input.capCount } : {}) }
      : { channel: "email", mail: input.payload, codeMail: input.codeMail ?? false };
  const row = await tx.outboxMessage.create({
    data: {
      tenantId: input.tenantId,
      channel: input.channel,
      purpose: input.purpose,
      payloadSealed: seal(JSON.stringify(sealed), secrets().current, SEAL_PURPOSE),
    },
    select: { id: true },
  });
  return row.id;
}

interface ClaimedRow {
  id: string;
  tenantId: string;
  purpose: string;
  payloadSealed: string | null;
  attempts: number;
}

/** Leases due rows (all due ones, or just `id`) for this caller; each claim counts as an attempt. */
async function claim(only?: string): Promise<ClaimedRow[]> {
  const now = new Date();
  const leasedUntil = new Date(now.getTime() + leaseMs());
  const db = getPrisma();
  const pick = only
    ? db.$queryRaw<ClaimedRow[]>`
        UPDATE "OutboxMessage" SET "nextAttemptAt" = ${leasedUntil}::timestamp(3), "attempts" = "attempts" + 1
         WHERE "id" IN (SELECT "id" FROM "OutboxMessage"
                         WHERE "id" = ${only}::uuid AND "deliveredAt" IS NULL AND "failedAt" IS NULL
                           AND "nextAttemptAt" <= ${now}::timestamp(3)
                           FOR UPDATE SKIP LOCKED)
        RETURNING "id", "tenantId", "purpose", "payloadSealed", "attempts"`
    : db.$queryRaw<ClaimedRow[]>`
        UPDATE "OutboxMessage" SET "nextAttemptAt" = ${leasedUntil}::timestamp(3), "attempts" = "attempts" + 1
         WHERE "id" IN (SELECT "id" FROM "OutboxMessage"
                         WHERE "deliveredAt" IS NULL AND "failedAt" IS NULL AND "nextAttemptAt" <= ${now}::timestamp(3)
                         ORDER BY "nextAttemptAt" LIMIT ${BATCH}
                           FOR UPDATE SKIP LOCKED)
        RETURNING "id", "tenantId", "purpose", "payloadSealed", "attempts"`;
  return pick;
}

/** Delivers one claimed row and records the outcome; never throws (failures are logged, never answered). */
async function deliverClaimed(row: ClaimedRow): Promise<void> {
  const db = getPrisma();
  const log = getLogger();
  let sealed: Sealed | undefined;
  try {
    if (!row.payloadSealed) throw new Error("the message is gone");
    sealed = JSON.parse(open(row.payloadSealed, secrets().all, SEAL_PURPOSE)) as Sealed;
    if (sealed.channel === "sms") {
      await sendSms(sealed.message, row.tenantId);
    } else {
      await getMailer().send(sealed.mail);
      if (sealed.codeMail) await recordSent(row.tenantId, "codeMail");
    }
  } catch (error) {
    const givingUp = row.attempts >= OUTBOX_MAX_ATTEMPTS;
    const why = error instanceof Error ? `${error.name}: ${error.message}` : "delivery failed";
    log.warn({ outboxId: row.id, purpose: row.purpose, attempts: row.attempts, givingUp, reason: why }, "outbox message not delivered");
    const at = new Date();
    // A text never delivered gives its volume-cap count back, as a refused synchronous one does.
    if (givingUp && sealed?.channel === "sms" && sealed.capCount) {
      await releaseSmsSend(sealed.capCount).catch((releaseError: unknown) =>
        log.warn({ outboxId: row.id, err: String(releaseError) }, "outbox: SMS cap count not given back"),
      );
    }
    await (
      givingUp
        ? db.outboxMessage.update({ where: { id: row.id }, data: { failedAt: at, payloadSealed: null } })
        : db.outboxMessage.update({
            where: { id: row.id },
            data: { nextAttemptAt: new Date(at.getTime() + outboxBackoffSeconds(row.attempts) * 1000) },
          })
    ).catch((updateError: unknown) => log.warn({ outboxId: row.id, err: String(updateError) }, "outbox outcome not recorded"));
    return;
  }
  await db.outboxMessage
    .update({ where: { id: row.id }, data: { deliveredAt: new Date(), payloadSealed: null } })
    .catch((error: unknown) => log.warn({ outboxId: row.id, err: String(error) }, "outbox delivery not recorded"));
}

/** Claims and delivers every due row once (the worker's pass; tests call it directly). Answers how many it tried. */
export async function deliverDue(): Promise<number> {
  let tried = 0;
  for (;;) {
    const rows = await claim();
    if (rows.length === 0) return tried;
    await Promise.all(rows.map(deliverClaimed));
    tried += rows.length;
    if (rows.length < BATCH) return tried;
  }
}

const inFlight = new Set<Promise<void>>();

/** After the commit: delivers this message now, in the background (the request never waits for it). */
export function deliverSoon(id: string): void {
  const attempt = claim(id)
    .then(async ([row]) => {
      if (row) await deliverClaimed(row);
    })
    .catch((error: unknown) => getLogger().warn({ outboxId: id, err: String(error) }, "outbox delivery could not start"))
    .finally(() => inFlight.delete(attempt));
  inFlight.add(attempt);
}

/** Resolves when every `deliverSoon` started so far has finished (tests, shutdown). */
export async function outboxSettled(): Promise<void> {
  while (inFlight.size > 0) await Promise.all(inFlight);
}

export interface OutboxWorker {
  /** Stops polling and waits for the pass and the background deliveries under way. */
  stop(): Promise<void>;
}

/** Retries due messages every `intervalMs` (default 1 s) until stopped; one per server process. */
export function startOutboxWorker(options: { intervalMs?: number } = {}): OutboxWorker {
  const intervalMs = options.intervalMs ?? 1000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> = Promise.resolve();
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      pass = deliverDue()
        .then(() => undefined)
        .catch((error: unknown) => getLogger().warn({ err: String(error) }, "outbox pass failed"))
        .finally(schedule);
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await pass;
      await outboxSettled();
    },
  };
}
