import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { NoticeError } from './errors.js';
import type { NoticeRenderJob } from './layout.js';

/** The thread's entry registers tsx's loader first: a worker thread does not inherit the loader of the thread that starts it. */
const WORKER = new URL('./render-thread.mjs', import.meta.url);

interface Task { id: number; job: NoticeRenderJob; resolve: (pdf: Buffer) => void; reject: (err: Error) => void }
interface Thread { worker: Worker; ready: boolean; task: Task | null }
type Reply = { ready: true } | { id: number; pdf: Uint8Array } | { id: number; error: string };

const failure = (job: NoticeRenderJob, reason: string) =>
  new NoticeError('render_failed', `Thông báo ${job.doc.noticeNumber}: không dựng được tệp PDF (${reason})`);

/**
 * Worker threads that lay out notices (layoutNotice): the PDF layout and image scaling are CPU work that
 * would otherwise hold the event loop that reads the database and storage. Each thread lays out one
 * notice at a time; further notices wait in order. A notice that fails is answered with its reason; a
 * thread that dies fails only the notice it held and is replaced. `layout` is a NoticeLayout for
 * renderNotice. Close the pool when done: the threads keep the process alive.
 */
export class NoticeRenderPool {
  readonly threads: number;
  private readonly pool: Thread[] = [];
  private readonly waiting: Task[] = [];
  private nextId = 1;
  private closed = false;
  /** why the threads cannot start (a thread that died before it was ready): every notice then fails with it */
  private broken: string | null = null;

  constructor(threads = availableParallelism()) {
    this.threads = Math.max(1, Math.min(threads, 32));
    for (let i = 0; i < this.threads; i++) this.pool.push(this.start());
  }

  readonly layout = (job: NoticeRenderJob): Promise<Buffer> => new Promise<Buffer>((resolve, reject) => {
    if (this.closed) return reject(failure(job, 'bộ dựng PDF đã đóng'));
    if (this.broken && this.pool.length === 0) return reject(failure(job, this.broken));
    this.waiting.push({ id: this.nextId++, job, resolve, reject });
    this.dispatch();
  });

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.waiting.splice(0)) task.reject(failure(task.job, 'bộ dựng PDF đã đóng'));
    await Promise.all(this.pool.map((t) => t.worker.terminate()));
  }

  private start(): Thread {
    const thread: Thread = { worker: new Worker(WORKER), ready: false, task: null };
    thread.worker.on('message', (reply: Reply) => {
      if ('ready' in reply) {
        thread.ready = true;
        this.dispatch();
        return;
      }
      const task = thread.task;
      if (!task || task.id !== reply.id) return;
      thread.task = null;
      if ('pdf' in reply) task.resolve(Buffer.from(reply.pdf.buffer, reply.pdf.byteOffset, reply.pdf.byteLength));
      else task.reject(failure(task.job, reply.error));
      this.dispatch();
    });
    thread.worker.on('error', (err) => this.lost(thread, err.message));
    thread.worker.on('exit', (code) => { if (!this.closed) this.lost(thread, `mã thoát ${code}`); });
    return thread;
  }

  /** A thread died: its notice fails with the reason, a new thread takes its place (unless none can start). */
  private lost(thread: Thread, reason: string): void {
    const at = this.pool.indexOf(thread);
    if (at < 0) return;
    const task = thread.task;
    thread.task = null;
    task?.reject(failure(task.job, `luồng dựng PDF dừng: ${reason}`));
    void thread.worker.terminate();
    if (this.closed) return;
    if (!thread.ready) {
      this.broken = `không khởi động được luồng dựng PDF: ${reason}`;
      this.pool.splice(at, 1);
      if (this.pool.length === 0) for (const t of this.waiting.splice(0)) t.reject(failure(t.job, this.broken));
      return;
    }
    this.pool[at] = this.start();
  }

  private dispatch(): void {
    for (const thread of this.pool) {
      while (thread.ready && !thread.task && this.waiting.length > 0) this.send(thread, this.waiting.shift()!);
    }
  }

  private send(thread: Thread, task: Task): void {
    thread.task = task;
    try {
      thread.worker.postMessage({ id: task.id, job: task.job });
    } catch (err) {
      // a job that cannot be copied to the thread (not plain data): that notice fails, the thread stays free
      thread.task = null;
      task.reject(failure(task.job, err instanceof Error ? err.message : String(err)));
    }
  }
}
