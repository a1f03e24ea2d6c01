import { pino, type Logger, type DestinationStream } from 'pino';
import { PinoPretty } from 'pino-pretty';

export interface LoggerSettings {
  readonly level: string;
  readonly format: 'json' | 'pretty';
}

/**
 * Paths redacted from every log line, as a second line of defence: the gateway's own log calls
 * never pass secrets, but a future call that logs a header bag or a config object still must not
 * leak one.
 */
const redactedPaths = [
  'authorization',
  '*.authorization',
  '*.*.authorization',
  'x-api-key',
  '*["x-api-key"]',
  '*.*["x-api-key"]',
  'api-key',
  '*["api-key"]',
  'api_key',
  '*.api_key',
  '*.*.api_key',
  'master_key',
  '*.master_key',
  'password',
  '*.password',
];

export function createLogger(settings: LoggerSettings, destination?: DestinationStream): Logger {
  const options = {
    level: settings.level,
    base: { service: 'gatehouse' },
    redact: { paths: redactedPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (destination !== undefined) return pino(options, destination);
  if (settings.format === 'pretty') {
    // In-process (no transport thread): pretty output is for development, not for throughput.
    return pino({ ...options, formatters: {} }, PinoPretty({ colorize: process.stdout.isTTY, sync: true }));
  }
  return pino(options, pino.destination({ sync: false }));
}

export type { Logger };
