import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** Text of every page (items joined with spaces) and how many images are painted, as a reader would see them. */
export async function readPdf(data: Buffer): Promise<{ pages: number; text: string; images: number; title: string | undefined }> {
  const doc = await getDocument({ data: new Uint8Array(data), useSystemFonts: false, isEvalSupported: false }).promise;
  try {
    let text = '';
    let images = 0;
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      text += content.items.map((item) => ('str' in item ? item.str : '')).join(' ') + '\n';
      const ops = await page.getOperatorList();
      images += ops.fnArray.filter((op) => op === OPS.paintImageXObject || op === OPS.paintInlineImageXObject).length;
    }
    const meta = await doc.getMetadata();
    return { pages: doc.numPages, text: text.normalize('NFC').replace(/\s+/g, ' '), images, title: (meta.info as { Title?: string }).Title };
  } finally {
    await doc.destroy();
  }
}
