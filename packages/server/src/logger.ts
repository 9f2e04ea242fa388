// pino is the logger; the node takes one (or makes one) and passes it down. No global logger.

import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type Logger = PinoLogger;

export function createLogger(level: LevelWithSilent, name = 'roomcast'): Logger {
  return pino({ name, level });
}
