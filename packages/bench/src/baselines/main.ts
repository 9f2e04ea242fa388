// Entry point of a baseline server process: `main.ts <naive|preframed|batched|socketio> <port> <api key>`.
// Started by the bench like roomcast (own process, same agent preloaded), so CPU and RSS are
// measured the same way.

import { startSocketIo } from './socketio.ts';
import { startWsRooms } from './ws-rooms.ts';

async function main(argv: string[]): Promise<void> {
  const [kind, portText, apiKey] = argv;
  const port = Number(portText);
  if (!kind || !Number.isInteger(port) || !apiKey)
    throw new Error('usage: main.ts <naive|preframed|batched|socketio> <port> <api key>');
  if (kind === 'socketio') await startSocketIo(port, apiKey);
  else if (kind === 'naive' || kind === 'preframed' || kind === 'batched')
    await startWsRooms(kind, port, apiKey);
  else throw new Error(`unknown baseline ${kind}`);
  process.stdout.write(`baseline ${kind} listening on 127.0.0.1:${port}\n`);
  const stop = (): void => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(
    `baseline failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
