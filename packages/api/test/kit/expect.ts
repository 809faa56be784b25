import { TRPCClientError } from "@trpc/client";
import { expect } from "vitest";
import type { ErrorData } from "../../src/error-shape";
import type { AppCode } from "../../src/errors";
import type { AppRouter } from "../../src/root";

/**
 * Each appCode's HTTP status as CONTRACT.md "Error codes" (and the README changelog) lists it,
 * written here apart from errors.ts on purpose: a status changed in the catalogue fails the tests
 * instead of moving them along. Typed by AppCode, so a new code needs its status here.
 */
export const contractStatus: Record<AppCode, number> = {
  "validation/Invalid": 400,
  "request/Malformed": 400,
  "signUp/EmailDomainNotAllowed": 400,
  "auth/MethodNotEnabled": 400,
  "auth/PasswordNotSet": 400,
  "social/RedirectUriNotAllowed": 400,
  "social/InvalidState": 400,
  "auth/Unauthenticated": 401,
  "auth/InvalidCredentials": 401,
  "auth/InvalidRefreshToken": 401,
  "auth/InvalidSignupToken": 401,
  "social/InvalidCode": 401,
  "social/InvalidProviderToken": 401,
  "auth/InvalidResetToken": 401,
  "smsVerification/InvalidCode": 401,
  "emailVerification/InvalidCode": 401,
  "auth/EmailNotVerified": 403,
  "auth/PasswordChangeRequired": 403,
  "auth/AccountSuspended": 403,
  "auth/Forbidden": 403,
  "tenant/NotFound": 404,
  "user/NotFound": 404,
  "staff/NotFound": 404,
  "session/NotFound": 404,
  "request/NotFound": 404,
  "request/MethodNotAllowed": 405,
  "tenant/KeyDuplicated": 409,
  "user/UserIdDuplicated": 409,
  "user/EmailDuplicated": 409,
  "user/PhoneDuplicated": 409,
  "staff/EmailDuplicated": 409,
  "request/PayloadTooLarge": 413,
  "request/UnsupportedMediaType": 415,
  "emailVerification/CooldownActive": 429,
  "smsVerification/CooldownActive": 429,
  "rateLimit/TooManyRequests": 429,
  "server/InternalError": 500,
  "service/Unavailable": 503,
};

type ApiError = TRPCClientError<AppRouter>;

/** An error answer as a test reads it: the tRPC error, its HTTP status and headers. */
export interface ErrorAnswer {
  appCode: AppCode;
  status: number;
  headers: Headers;
  /** `error.data` of the body: appCode, httpStatus, issues, nextResendAvailableAt… */
  data: ErrorData;
  message: string;
  /** The whole body as sent. */
  body: unknown;
  error: ApiError;
}

function answerOf(error: unknown): ErrorAnswer | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const e = error as ApiError;
  const response = e.meta?.response as Response | undefined;
  // tRPC types `data` with its default shape; the API's formatter (error-shape.ts) gives ErrorData.
  const data = e.data as ErrorData | null | undefined;
  if (!data || !response) return undefined;
  return {
    appCode: data.appCode,
    status: response.status,
    headers: response.headers,
    data,
    message: e.message,
    body: e.meta?.responseJSON,
    error: e,
  };
}

/**
 * Expects the call to fail with `appCode`, answered with that code's HTTP status (in the body's
 * `data.httpStatus` and on the status line), and returns the answer for further checks.
 */
export async function expectError(call: Promise<unknown>, appCode: AppCode): Promise<ErrorAnswer> {
  const outcome = await settle(call);
  if (outcome.ok) throw new Error(`expected ${appCode}, got a result: ${JSON.stringify(outcome.data)?.slice(0, 500)}`);
  const { answer } = outcome;
  const seen = { appCode: answer.appCode, status: answer.status, httpStatus: answer.data.httpStatus };
  expect(seen, JSON.stringify(answer.body)).toEqual({ appCode, status: contractStatus[appCode], httpStatus: contractStatus[appCode] });
  return answer;
}

/**
 * Expects 400 validation/Invalid with an issue on each of `fields` (the first segment of an
 * issue's path), every issue with a message.
 */
export async function expectInvalidField(call: Promise<unknown>, ...fields: [string, ...string[]]): Promise<ErrorAnswer> {
  const answer = await expectError(call, "validation/Invalid");
  const issues = answer.data.issues ?? [];
  for (const field of fields)
    expect(
      issues.map((issue) => issue.path[0]),
      JSON.stringify(issues),
    ).toContain(field);
  for (const issue of issues) expect(issue.message).toEqual(expect.any(String));
  return answer;
}

export type Outcome<T> = { ok: true; status: 200; data: T } | { ok: false; appCode: AppCode; status: number; answer: ErrorAnswer };

/**
 * A call's outcome, never thrown: for races and bursts that count answers. A failure that is not
 * an answer of the API (a network error, a non-JSON body) is thrown.
 */
export async function settle<T>(call: Promise<T>): Promise<Outcome<T>> {
  try {
    // The kit's client has checked that a result came with 200.
    return { ok: true, status: 200, data: await call };
  } catch (error) {
    const answer = answerOf(error);
    if (!answer) throw error;
    return { ok: false, appCode: answer.appCode, status: answer.status, answer };
  }
}

/** No answer may ever hold a password or token hash. */
export function expectNoSecrets(value: unknown): void {
  const json = typeof value === "string" ? value : JSON.stringify(value);
  expect(json).not.toContain("passwordHash");
  expect(json).not.toContain("refreshTokenHash");
  expect(json).not.toMatch(/\$2[aby]?\$/);
}
