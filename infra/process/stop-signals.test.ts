import { EventEmitter } from 'node:events';
import pino from 'pino';
import { handleStopSignals, REPEAT_SIGNAL_WINDOW_MS } from './stop-signals';

function setup() {
  const source = new EventEmitter();
  const clock = { now: 1_000_000 };
  const onStop = jest.fn();
  const exit = jest.fn();
  const signals = handleStopSignals({ logger: pino({ level: 'silent' }), message: 'draining', onStop, exit, source, now: () => clock.now });
  return { source, clock, onStop, exit, signals };
}

describe('handleStopSignals', () => {
  it('starts the drain once on the first SIGTERM or SIGINT', () => {
    const { source, onStop, exit, signals } = setup();
    expect(signals.requested).toBe(false);
    source.emit('SIGTERM', 'SIGTERM');
    expect(signals.requested).toBe(true);
    expect(onStop).toHaveBeenCalledTimes(1);
    expect(onStop).toHaveBeenCalledWith('SIGTERM');
    expect(exit).not.toHaveBeenCalled();
  });

  it('ignores the relayed repeat inside the window', () => {
    const { source, clock, onStop, exit } = setup();
    source.emit('SIGINT', 'SIGINT');
    clock.now += REPEAT_SIGNAL_WINDOW_MS - 1;
    source.emit('SIGINT', 'SIGINT');
    expect(onStop).toHaveBeenCalledTimes(1);
    expect(exit).not.toHaveBeenCalled();
  });

  it('exits 1 on a later signal while draining', () => {
    const { source, clock, onStop, exit } = setup();
    source.emit('SIGTERM', 'SIGTERM');
    clock.now += REPEAT_SIGNAL_WINDOW_MS;
    source.emit('SIGINT', 'SIGINT');
    expect(onStop).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(1);
  });
});
