import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setConfig, loadConfig } from "../src/config";
import { createApiHandler } from "../src/http";
import { clientIp } from "../src/http/client-ip";
import { CLIENT_IP_HEADER } from "../src/http/headers";
import { appRouter } from "../src/root";

/**
 * Another Gatehouse instance in its own process (run with tsx by a test): the API handler as the
 * front server mounts it, configured from the environment it is given (the test's database,
 * Redis and key prefix). Prints `{"url": …}` once listening; stops when its stdin closes. Tests
 * that must show state lives in Redis, not in one process's memory, start and finish a flow
 * across it and the in-process server.
 */
const config = setConfig(loadConfig(process.env, "test"));
const handle = createApiHandler(appRouter);
const server = createServer((req, res) => {
  req.headers[CLIENT_IP_HEADER] = clientIp(req, config.trustProxyHops);
  if (handle(req, res)) return;
  res.statusCode = 404;
  res.end();
});
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
