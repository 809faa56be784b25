import { createServer, connect, type Server, type Socket } from "node:net";
import { once } from "node:events";

/**
 * A TCP proxy in front of a real service that a test can cut (the port closes and every open
 * connection is reset, as when the service dies) and restore on the same port, or slow down.
 */
export interface TcpProxy {
  port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
  /** From now on every chunk, both ways, is held `ms` before it is passed on (0: at once); order is kept. */
  setDelay(ms: number): void;
}

export async function startTcpProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let delayMs = 0;

  /** Passes `from`'s data to `to`, each chunk after the delay in force when it arrived, in order. */
  const forward = (from: Socket, to: Socket) => {
    const queue: { due: number; chunk: Buffer }[] = [];
    let timer: NodeJS.Timeout | undefined;
    const pump = () => {
      timer = undefined;
      while (queue.length > 0 && queue[0]!.due <= Date.now()) {
        const { chunk } = queue.shift()!;
        if (!to.destroyed) to.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(pump, queue[0]!.due - Date.now());
    };
    from.on("data", (chunk: Buffer) => {
      queue.push({ due: Date.now() + delayMs, chunk });
      if (!timer) pump();
    });
    from.on("close", () => clearTimeout(timer));
  };

  const listen = async () => {
    server = createServer((client) => {
      const upstream = connect(targetPort, targetHost);
      sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on("error", drop).on("close", drop);
      upstream.on("error", drop).on("close", drop);
      forward(client, upstream);
      forward(upstream, client);
    });
    server.listen(port, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as { port: number }).port;
  };

  const cut = async () => {
    if (!server) return;
    const closing = new Promise<void>((resolve) => server!.close(() => resolve()));
    for (const socket of sockets) socket.resetAndDestroy();
    sockets.clear();
    await closing;
    server = undefined;
  };

  await listen();
  return {
    get port() {
      return port;
    },
    cut,
    restore: listen,
    close: cut,
    setDelay: (ms) => {
      delayMs = ms;
    },
  };
}
