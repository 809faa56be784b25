import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    // Browser suites poll for what a server round trip changes; on a busy machine one can take
    // longer than the default second.
    expect: { poll: { timeout: 10_000 } },
  },
});
