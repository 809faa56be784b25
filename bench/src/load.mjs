// One load run, in its own process (the orchestrator never shares an event loop with the load):
//   node load.mjs <spec.json>
// Drives the server with autocannon and prints one JSON line with the result. The spec names the
// scenario, the connections, either a duration or an amount, and the data seeded for it.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { scenario, data } = spec;
const offset = spec.offset ?? 0;
const json = { "content-type": "application/json" };
const bearer = (token) => ({ authorization: `Bearer ${token}` });

let nextConnection = 0;
let rotating = offset;
let brokenChains = 0;
/** Refresh: sessions after the first `connections` are spares. */
let spareNext = spec.connections;

/**
 * Requests per connection. Static requests (me, restMe, verifyEmail) are built once per connection, so
 * the load generator spends as little of the shared CPU as possible; dynamic ones rebuild per
 * request from state held in this connection's closure (autocannon resets its own per-request
 * context whenever a one-request list wraps, so state cannot live there).
 */
function setupClient(client) {
  const index = nextConnection++;
  switch (scenario) {
    case "me": {
      const tokens = data.tokens;
      client.setRequests([{ method: "GET", path: "/api/trpc/clientAuth.me", headers: bearer(tokens[(offset + index) % tokens.length]) }]);
      break;
    }
    case "restMe": {
      const tokens = data.tokens;
      client.setRequests([{ method: "GET", path: "/api/v1/auth/me", headers: bearer(tokens[(offset + index) % tokens.length]) }]);
      break;
    }
    case "verifyEmail": {
      const tokens = data.tokens;
      client.setRequests([
        {
          method: "POST",
          path: "/api/trpc/clientEmailVerification.verifyEmail",
          headers: { ...json, ...bearer(tokens[(offset + index) % tokens.length]) },
          body: JSON.stringify({ code: data.code }),
        },
      ]);
      break;
    }
    case "passwordlessVerify": {
      // Distinct addresses, one rotation across connections and runs (see PASSWORDLESS_ADDRESSES).
      client.setRequests([
        {
          method: "POST",
          path: "/api/trpc/clientPasswordless.verify",
          headers: json,
          setupRequest: (req) => {
            const email = `pl${rotating++ % data.addresses}@bench.example`;
            return { ...req, body: JSON.stringify({ tenantKey: data.tenantKey, email, code: data.code }) };
          },
        },
      ]);
      break;
    }
    case "signIn": {
      client.setRequests([
        {
          method: "POST",
          path: "/api/trpc/clientAuth.signIn",
          headers: json,
          setupRequest: (req) => {
            const userId = data.userIds[rotating++ % data.userIds.length];
            return { ...req, body: JSON.stringify({ tenantKey: data.tenantKey, userId, password: data.password }) };
          },
        },
      ]);
      break;
    }
    case "sendVerification": {
      // Distinct users: one rotation over the whole pool, continued across runs by `offset`, so
      // a user comes round again only after the pool is used up (longer than the cooldown).
      client.setRequests([
        {
          method: "POST",
          path: "/api/trpc/clientEmailVerification.sendVerification",
          setupRequest: (req) => {
            const user = data.users[rotating++ % data.users.length];
            return { ...req, headers: { ...json, ...bearer(user.token) }, body: JSON.stringify({ email: user.email }) };
          },
        },
      ]);
      break;
    }
    case "refresh": {
      // Each connection owns a session and follows its rotation; a failed refresh (a request
      // cut off by a timeout makes the next one a reuse) moves the connection to a spare session.
      const state = { token: data.refreshTokens[index] };
      client.setRequests([
        {
          method: "POST",
          path: "/api/trpc/clientAuth.refresh",
          headers: json,
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ refreshToken: state.token }) }),
          onResponse: (status, body) => {
            if (status === 200) {
              state.token = JSON.parse(body).result.data.refreshToken;
              return;
            }
            brokenChains++;
            state.token = data.refreshTokens[spareNext++ % data.refreshTokens.length];
          },
        },
      ]);
      break;
    }
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}

const cpuBefore = process.cpuUsage();
const options = {
  url: spec.url,
  connections: spec.connections,
  pipelining: 1,
  timeout: spec.timeoutSeconds ?? 10,
  setupClient,
};
if (spec.amount) options.amount = spec.amount;
else options.duration = spec.duration;

const result = await autocannon(options);
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(
  `${JSON.stringify({
    requestsPerSecond: result.requests.average,
    requestsTotal: result.requests.total,
    requestsSent: result.requests.sent,
    durationSeconds: result.duration,
    latency: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.average,
    },
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, v]) => [code, v.count])),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    brokenChains,
    loaderCpuMs: (cpu.user + cpu.system) / 1000,
  })}\n`,
);
