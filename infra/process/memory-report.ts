/**
 * Where a process's memory is: its RSS beside the V8 heap of every isolate in it (the main thread
 * and each worker thread, e.g. the Temporal SDK's workflow thread, whose heap the main thread's
 * process.memoryUsage() does not show), each measured after a full GC. What is left of the RSS is
 * native: the Temporal core (Rust), Node's own buffers, the allocator's free lists and code.
 * The worker logs one on SIGUSR2 (worker/main.ts); bench:waitlist asks for it.
 *
 * Worker threads are reached through the in-process inspector (NodeWorker domain); nothing is
 * opened to the network. A thread that does not answer within `timeoutMs` is reported as such.
 */
import inspector from 'node:inspector';

export interface IsolateMemory {
  thread: string;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export interface MemoryReport {
  rss: number;
  isolates: IsolateMemory[];
  /** rss minus every isolate's heapTotal and external memory. */
  native: number;
}

type Post = (method: string, params?: object) => Promise<unknown>;

export async function memoryReport(timeoutMs = 5_000): Promise<MemoryReport> {
  const session = new inspector.Session();
  session.connect();
  const post: Post = (method, params) =>
    new Promise((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
  const threads: Array<{ sessionId: string; title: string }> = [];
  const waiting = new Map<number, (message: { result?: { result?: { value?: string } } }) => void>();
  let nextId = 1;
  session.on('NodeWorker.attachedToWorker', (message) => {
    const params = message.params as { sessionId: string; workerInfo: { title: string } };
    threads.push({ sessionId: params.sessionId, title: params.workerInfo.title });
  });
  session.on('NodeWorker.receivedMessageFromWorker', (message) => {
    const reply = JSON.parse((message.params as { message: string }).message) as { id?: number; result?: { result?: { value?: string } } };
    if (reply.id !== undefined) waiting.get(reply.id)?.(reply);
  });
  const inThread = (sessionId: string, method: string, params: object) =>
    new Promise<{ result?: { result?: { value?: string } } } | null>((resolve) => {
      const id = nextId++;
      const timer = setTimeout(() => resolve(null), timeoutMs);
      waiting.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      void post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(() => resolve(null));
    });
  try {
    await post('HeapProfiler.enable');
    await post('HeapProfiler.collectGarbage');
    await post('NodeWorker.enable', { waitForDebuggerOnStart: false });
    // The running threads are announced right after enable.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const isolates: IsolateMemory[] = [{ thread: 'main', ...pick(process.memoryUsage()) }];
    for (const { sessionId, title } of threads) {
      await inThread(sessionId, 'HeapProfiler.collectGarbage', {});
      const reply = await inThread(sessionId, 'Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
      const value = reply?.result?.result?.value;
      if (value) isolates.push({ thread: title, ...pick(JSON.parse(value) as NodeJS.MemoryUsage) });
    }
    const rss = process.memoryUsage.rss();
    const native = rss - isolates.reduce((sum, i) => sum + i.heapTotal + i.external, 0);
    return { rss, isolates, native };
  } finally {
    await post('NodeWorker.disable').catch(() => undefined);
    session.disconnect();
  }
}

function pick(m: NodeJS.MemoryUsage): Omit<IsolateMemory, 'thread'> {
  return { heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
}

/** One line per report, in MB. */
export function formatMemoryReport(r: MemoryReport): string {
  const mb = (n: number) => (n / 1024 / 1024).toFixed(0);
  const isolates = r.isolates.map((i) => `${i.thread}: heap ${mb(i.heapUsed)}/${mb(i.heapTotal)} MB used/committed, external ${mb(i.external)} MB`).join('; ');
  return `rss ${mb(r.rss)} MB = ${isolates}; native rest ${mb(r.native)} MB`;
}
