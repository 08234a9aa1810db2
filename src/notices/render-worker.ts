import { parentPort } from 'node:worker_threads';
import { layoutNotice, type NoticeRenderJob } from './layout.js';
import { preloadPaperFonts } from './paper-fonts.js';
import { loadNoticeTemplate } from './template.js';

/**
 * A render thread of NoticeRenderPool: lays out one notice at a time and answers with the PDF bytes or the
 * reason it could not. Fonts and the template are loaded once, before the thread says it is ready, and
 * serve every notice it lays out.
 */
if (!parentPort) throw new Error('render-worker.ts runs as a worker thread of NoticeRenderPool');
const port = parentPort;
preloadPaperFonts();
loadNoticeTemplate('vi');

port.on('message', (message: { id: number; job: NoticeRenderJob }) => {
  layoutNotice(message.job).then(
    (pdf) => port.postMessage({ id: message.id, pdf }),
    (err: unknown) => port.postMessage({ id: message.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
port.postMessage({ ready: true });
