import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago: the system picks it, and
 * it is released at once for the caller to listen on. Used to start the Pub/Sub
 * emulator and workers beside each other without fixed port numbers.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('The system gave no TCP port on 127.0.0.1.')),
      );
    });
  });
}
