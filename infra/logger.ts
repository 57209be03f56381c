/**
 * Structured logging for every process: one pino root logger built from config at the composition
 * root and passed down (nothing else creates loggers). Secrets that can reach a log line (bearer
 * keys, cookies) are redacted here, once, rather than trusted to every call site.
 */
import pino from 'pino';
import type { AppConfig } from './config';
import { traceFields } from './telemetry/tracing';

export type Logger = pino.Logger;

// Jest runs with NODE_ENV=test: the default level is silenced there so test output stays readable;
// set LOG_LEVEL=debug (or any level other than the default) to see the logs of a test run.
export function createLogger(config: Pick<AppConfig, 'logLevel' | 'nodeEnv'>, name = 'booking'): Logger {
  return pino({
    name,
    level: config.nodeEnv === 'test' ? (config.logLevel === 'info' ? 'silent' : config.logLevel) : config.logLevel,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.apiKey'],
      censor: '[redacted]',
    },
    base: { service: name },
    // Trace, span and request id of the active OpenTelemetry context on every line (none when off).
    mixin: traceFields,
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
