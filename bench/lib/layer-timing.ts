/**
 * Per-middleware timing for the availability bench (BENCH_LAYER_TIMING=1): wraps the handle of
 * every layer of an Express app's router (and of routers mounted in it, and of routes' own
 * stacks) so each layer's SYNCHRONOUS self time is summed: time inside the layer minus the time
 * of the wrapped layers it ran synchronously (through `next` or a route's dispatch; timed on their own). Work a
 * layer does after an await (a limiter's code after its Redis reply, a handler after its cache
 * lookup) is not in its own row; the report shows it as the rest of the process's CPU time.
 * Wrapping costs a little per layer, so the bench's CPU figures of a timed run are not compared
 * with untimed ones.
 */
import type { Express } from 'express';

interface Layer {
  name?: string;
  handle: ((...args: unknown[]) => unknown) & { stack?: Layer[] };
  route?: { path: string; stack: Layer[] };
  matchers?: unknown[];
}

export interface LayerTimer {
  reset(): void;
  /** Rows "self ms per request  calls  layer", slowest first. */
  report(requests: number): string;
}

export function timeLayers(app: Express): LayerTimer {
  const rows = new Map<string, { ms: number; calls: number }>();
  const seen = new WeakSet<object>();
  // Frames of the wrapped layers running now (synchronously nested): each subtracts its inner ones.
  const stack: Array<{ nested: number }> = [];
  const wrap = (layer: Layer, label: string) => {
    if (seen.has(layer)) return;
    seen.add(layer);
    const row = { ms: 0, calls: 0 };
    rows.set(`${label} #${rows.size}`, row);
    const inner = layer.handle;
    if (inner.stack) walk(inner.stack, `${label} > `);
    if (layer.route) walk(layer.route.stack, `${label} > `);
    const timed = (args: unknown[]) => {
      const t0 = performance.now();
      const frame = { nested: 0 };
      stack.push(frame);
      try {
        return inner.apply(undefined, args);
      } finally {
        stack.pop();
        const total = performance.now() - t0;
        row.ms += total - frame.nested;
        row.calls++;
        // The caller's self time excludes this layer's, whether it ran through `next` or not.
        if (stack.length > 0) stack[stack.length - 1].nested += total;
      }
    };
    // Express tells error handlers from others by their arity: keep it.
    const wrapped =
      inner.length === 4
        ? function (this: unknown, err: unknown, req: unknown, res: unknown, next: unknown) { return timed([err, req, res, next]); }
        : function (this: unknown, req: unknown, res: unknown, next: unknown) { return timed([req, res, next]); };
    Object.assign(wrapped, inner);
    layer.handle = wrapped;
  };
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) wrap(layer, `${prefix}${layer.route?.path ?? (layer.handle.name || layer.name || 'anonymous')}`);
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return {
    reset() {
      for (const row of rows.values()) {
        row.ms = 0;
        row.calls = 0;
      }
    },
    report(requests) {
      return [...rows]
        .filter(([, r]) => r.calls > 0)
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(([name, r]) => `${((r.ms * 1000) / requests).toFixed(1).padStart(7)} µs/req  ${String(r.calls).padStart(6)} calls  ${name}`)
        .join('\n');
    },
  };
}
