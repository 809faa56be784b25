import { testRunSetup } from "@gatehouse/testing/global-setup";

export default testRunSetup({ database: "gatehouse_test", redisPrefix: "ghtest", withoutRedis: "Redis-dependent suites are skipped." });
