/**
 * The mail could not be handed over: the mail server refused the connection, timed out,
 * answered a command with a 4xx/5xx reply, or the file could not be written.
 * The API maps it to 503 `service/Unavailable` (fail closed). `cause` holds the original error.
 */
export class MailUnavailableError extends Error {
  override readonly name = "MailUnavailableError";
  /** Nodemailer / Node error code of the cause, e.g. ECONNECTION, ETIMEDOUT, EENVELOPE. */
  readonly code: string | undefined;
  /** SMTP reply code when the server answered with an error, e.g. 550 or 451. */
  readonly responseCode: number | undefined;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options && "cause" in options ? { cause: options.cause } : undefined);
    const cause = options?.cause as { code?: unknown; responseCode?: unknown } | null | undefined;
    this.code = typeof cause?.code === "string" ? cause.code : undefined;
    this.responseCode = typeof cause?.responseCode === "number" ? cause.responseCode : undefined;
  }

  /** Wraps any error (keeping it as `cause`), or returns it unchanged when it already is one. */
  static from(err: unknown, action = "Mail could not be handed over"): MailUnavailableError {
    if (isMailUnavailable(err)) return err;
    const cause = err as { code?: unknown; responseCode?: unknown } | null | undefined;
    const parts = [
      typeof cause?.code === "string" ? cause.code : null,
      typeof cause?.responseCode === "number" ? String(cause.responseCode) : null,
    ].filter((part): part is string => part !== null);
    return new MailUnavailableError(parts.length ? `${action} (${parts.join(" ")})` : action, { cause: err });
  }
}

/** True for a {@link MailUnavailableError} (the process loads this module once: no brand needed). */
export function isMailUnavailable(err: unknown): err is MailUnavailableError {
  return err instanceof MailUnavailableError;
}
