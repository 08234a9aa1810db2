import { getDocument, GlobalWorkerOptions } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

// the worker is bundled and served with the console: nothing is fetched from outside
GlobalWorkerOptions.workerSrc = workerUrl;

/** Draws every page of the PDF at `url` into `container` as canvases: the same preview in every browser. */
export async function renderPdfPages(container: HTMLElement, url: string): Promise<void> {
  const data = await (await fetch(url, { credentials: 'same-origin' })).arrayBuffer();
  const doc = await getDocument({ data }).promise;
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const viewport = page.getViewport({ scale: 1.4 });
    const canvas = document.createElement('canvas');
    canvas.width = viewport.width;
    canvas.height = viewport.height;
    canvas.className = 'pdf-page';
    container.append(canvas);
    await page.render({ canvas, canvasContext: canvas.getContext('2d')!, viewport }).promise;
  }
  container.dataset.pages = String(doc.numPages);
}
