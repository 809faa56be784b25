import { inject } from "vitest";

// Every test file sees the run's database, Redis and key prefix through the environment, as the
// server would; numbers that tests shorten are set per suite with `useTestConfig`.
process.env.NODE_ENV = "test";
process.env.DATABASE_URL = inject("databaseUrl");
process.env.REDIS_URL = inject("redisUrl") || "redis://127.0.0.1:1";
process.env.REDIS_KEY_PREFIX = inject("redisKeyPrefix");
process.env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-0123456789";
process.env.BCRYPT_COST = "10";
process.env.LOG_LEVEL ??= "silent";
