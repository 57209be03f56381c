/**
 * Graceful stop on SIGINT/SIGTERM for the long-running processes (API, worker): the first signal
 * logs and starts the drain once; repeats within the first seconds are ignored, because a signal to
 * the process group arrives twice (directly and relayed by tsx/npm); a later one means "stop now"
 * and exits 1 without waiting for the drain.
 */
import type { Logger } from '../logger';

export const REPEAT_SIGNAL_WINDOW_MS = 2_000;

export interface StopSignalOptions {
  logger: Logger;
  /** Logged with the first signal, e.g. what the drain lets finish. */
  message: string;
  /** Starts the drain; called once, with the first signal. */
  onStop: (signal: NodeJS.Signals) => void;
  /** For tests: where signals come from, how to exit, what time it is. */
  source?: Pick<NodeJS.EventEmitter, 'on'>;
  exit?: (code: number) => void;
  now?: () => number;
}

export interface StopSignals {
  /** True once the first signal arrived (a drain is under way). */
  readonly requested: boolean;
}

export function handleStopSignals(options: StopSignalOptions): StopSignals {
  const { logger, message, onStop, source = process, exit = (code) => process.exit(code), now = Date.now } = options;
  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstSignalAt !== undefined) {
      if (now() - firstSignalAt < REPEAT_SIGNAL_WINDOW_MS) return;
      logger.warn({ signal }, 'second signal while draining: exiting now');
      exit(1);
      return;
    }
    firstSignalAt = now();
    logger.info({ signal }, message);
    onStop(signal);
  };
  source.on('SIGINT', onSignal);
  source.on('SIGTERM', onSignal);
  return {
    get requested() {
      return firstSignalAt !== undefined;
    },
  };
}
