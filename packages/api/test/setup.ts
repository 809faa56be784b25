import { useRunEnvironment } from "@gatehouse/testing/environment";

// Every test file sees the run's database, Redis and key prefix through the environment, as the
// server would; numbers that tests shorten are set per suite (startTestServer's env).
useRunEnvironment({ authSecret: "test-secret-test-secret-test-secret-0123456789" });
