/** The scenarios: what each drives, what it should answer, and what its requests should cost. */
import { knobs, type ScenarioName } from "./config";

export interface ScenarioDef {
  name: ScenarioName;
  title: string;
  load: "me" | "restMe" | "signIn" | "refresh" | "sendVerification" | "verifyEmail" | "passwordlessVerify";
  expectedStatus: number;
  /** Requests counted with Redis MONITOR before the timed runs (0: none). */
  probeAmount: number;
  /** The rate limits each request checks, from the code (each should be one Redis command). */
  limitChecks: string[];
  /** Redis writes a request makes besides its checks (each one command). */
  redisWrites?: string[];
  /** Authenticated with an access token (a session check happens). */
  sessionCheck: boolean;
  note?: string;
}

export const SCENARIOS: Record<ScenarioName, ScenarioDef> = {
  me: {
    name: "me",
    title: "clientAuth.me (session check)",
    load: "me",
    expectedStatus: 200,
    probeAmount: 300,
    limitChecks: [],
    sessionCheck: true,
  },
  // The same session check over REST (/api/v1): what the REST layer costs beside tRPC's.
  "rest-me": {
    name: "rest-me",
    title: "GET /api/v1/auth/me (the session check over REST)",
    load: "restMe",
    expectedStatus: 200,
    probeAmount: 300,
    limitChecks: [],
    sessionCheck: true,
  },
  signIn: {
    name: "signIn",
    title: "clientAuth.signIn (correct password)",
    load: "signIn",
    expectedStatus: 200,
    probeAmount: 8,
    limitChecks: ["per-IP signIn window", "failed sign-ins per (account, IP) + per account (one script, taking an attempt)"],
    redisWrites: ["the right password gives its attempt back (one script)"],
    sessionCheck: false,
  },
  refresh: {
    name: "refresh",
    title: "clientAuth.refresh (rotation)",
    load: "refresh",
    expectedStatus: 200,
    probeAmount: 300,
    limitChecks: ["per-IP refresh window"],
    sessionCheck: false,
  },
  sendVerification: {
    name: "sendVerification",
    title: "sendVerification (distinct users, SMTP sink)",
    load: "sendVerification",
    expectedStatus: 200,
    probeAmount: 100,
    limitChecks: ["per-IP sendVerification window", "address mail cap + hourly failure budget + cooldown + store code (one script)"],
    sessionCheck: true,
  },
  verifyEmail: {
    name: "verifyEmail",
    title: "verifyEmail (wrong code, 401 expected)",
    load: "verifyEmail",
    expectedStatus: 401,
    probeAmount: 300,
    limitChecks: ["per-IP verifyEmail window", "budget + attempt + check (one script)"],
    sessionCheck: true,
  },
  // Email-code sign-in's code check (issue 19): a wrong code for a rotating pool of addresses, so
  // no address reaches its 15-failures-per-network budget (fixed by the contract, not scaled).
  passwordlessVerify: {
    name: "passwordlessVerify",
    title: "clientPasswordless.verify (wrong code, 401 expected)",
    load: "passwordlessVerify",
    expectedStatus: 401,
    probeAmount: 300,
    limitChecks: ["per-IP clientPasswordless.verify window", "budgets + attempt + check (one script)"],
    sessionCheck: false,
  },
  meUnderSignIn: {
    name: "meUnderSignIn",
    title: `me with ${knobs.signInLoadPerSecond} signIn/s alongside`,
    load: "me",
    expectedStatus: 200,
    probeAmount: 0,
    limitChecks: [],
    sessionCheck: true,
    note: "Redis commands as for me (no probe); Postgres counts and server CPU per request include the background sign-ins and their hashing",
  },
};
