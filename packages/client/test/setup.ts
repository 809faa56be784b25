import { useRunEnvironment } from "@gatehouse/testing/environment";

// The server under test reads its configuration from the environment, as in production.
useRunEnvironment({ authSecret: "client-sdk-test-secret-0123456789-abcdefghij" });
