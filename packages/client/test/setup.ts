import { inject } from "vitest";

// The server under test reads its configuration from the environment, as in production.
process.env.NODE_ENV = "test";
process.env.DATABASE_URL = inject("databaseUrl");
process.env.REDIS_URL = inject("redisUrl") || "redis://127.0.0.1:1";
process.env.REDIS_KEY_PREFIX = inject("redisKeyPrefix");
process.env.AUTH_SECRET ??= "client-sdk-test-secret-0123456789-abcdefghij";
process.env.BCRYPT_COST = "10";
process.env.LOG_LEVEL ??= "silent";
