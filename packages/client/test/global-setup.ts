import { testRunSetup } from "@gatehouse/testing/global-setup";

/** The SDK is tested against the real server (packages/api's HTTP handler) on real PostgreSQL and Redis. */
export default testRunSetup({
  database: "gatehouse_client",
  redisPrefix: "ghclient",
  withoutRedis: "the SDK's server suites are skipped.",
});
