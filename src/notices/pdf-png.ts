import { crc32, deflateSync } from 'node:zlib';

/** What pdfkit's `image()` takes in place of image bytes: an image that embeds itself. */
interface PdfImage {
  width: number;
  height: number;
  label: string;
  obj: unknown;
  embed(document: PDFKit.PDFDocument): void;
}

interface PdfRef { data: Record<string, unknown>; end(chunk?: Uint8Array): void }
type RefMaker = { ref(data?: Record<string, unknown>): PdfRef; _imageCount: number };

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A PNG for `pdf.image()` whose compressed pixels go into the PDF as they are. pdfkit reads a PNG with
 * png-js, which copies the compressed data into a JavaScript array one byte at a time (~1.6 ms and much
 * garbage for a 40 kB plate crop, on every notice). The object written here is the one pdfkit writes for
 * the PNGs the notices use (8-bit grey or RGB, not interlaced, no palette or transparency), in the same
 * order, so the PDF's bytes are the same. Any other PNG is returned as is, for pdfkit to read.
 * Call it just before `pdf.image()`: pdfkit names an image (I1, I2...) when it is given one. Typed as
 * bytes for `pdf.image()`: @types/pdfkit only knows bytes and file names, pdfkit itself also takes an
 * image that embeds itself.
 */
export function pngForPdf(pdf: PDFKit.PDFDocument, png: Buffer): Buffer {
  const parsed = plainPng(png);
  if (!parsed) return png;
  const doc = pdf as unknown as RefMaker;
  const { width, height, colours, data } = parsed;
  const image: PdfImage = {
    width, height, label: `I${++doc._imageCount}`, obj: null,
    embed(document) {
      if (image.obj) return;
      const maker = document as unknown as RefMaker;
      const obj = maker.ref({ Type: 'XObject', Subtype: 'Image', BitsPerComponent: 8, Width: width, Height: height, Filter: 'FlateDecode' });
      image.obj = obj;
      const params = maker.ref({ Predictor: 15, Colors: colours, BitsPerComponent: 8, Columns: width });
      obj.data['DecodeParms'] = params;
      params.end();
      obj.data['ColorSpace'] = colours === 1 ? 'DeviceGray' : 'DeviceRGB';
      obj.end(data);
    },
  };
  return image as unknown as Buffer;
}

/** Size, colours and the concatenated IDAT data of an 8-bit grey or RGB, non-interlaced PNG with nothing else to it; null otherwise. */
export function plainPng(png: Buffer): { width: number; height: number; colours: 1 | 3; data: Buffer } | null {
  if (png.length < 33 || !png.subarray(0, 8).equals(SIGNATURE)) return null;
  let width = 0;
  let height = 0;
  let colours: 1 | 3 | null = null;
  const idat: Buffer[] = [];
  for (let at = 8; at + 12 <= png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const body = at + 8;
    if (body + length + 4 > png.length) return null;
    if (type === 'IHDR') {
      width = png.readUInt32BE(body);
      height = png.readUInt32BE(body + 4);
      const [bits, colourType, , , interlace] = png.subarray(body + 8, body + 13);
      if (bits !== 8 || interlace !== 0 || (colourType !== 0 && colourType !== 2)) return null;
      colours = colourType === 0 ? 1 : 3;
    } else if (type === 'IDAT') {
      idat.push(png.subarray(body, body + length));
    } else if (type === 'IEND') {
      break;
    } else if (type === 'PLTE' || type === 'tRNS') {
      return null;
    }
    at = body + length + 4;
  }
  if (!colours || width === 0 || height === 0 || idat.length === 0) return null;
  return { width, height, colours, data: Buffer.concat(idat) };
}

/**
 * An 8-bit greyscale PNG of `pixels` (one byte a pixel, row by row), written here: for a black-and-white
 * drawing such as a QR code, compressing it in this thread costs a fraction of a millisecond, about a
 * fifth of an image library's round trip.
 */
export function greyPng(pixels: Uint8Array, width: number, height: number): Buffer {
  if (pixels.length !== width * height) throw new RangeError(`${pixels.length} pixels for a ${width}x${height} image`);
  // each row starts with its filter type: 0, none
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) rows.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits a sample; colour type 0 (grey), deflate, adaptive filtering, not interlaced
  return Buffer.concat([SIGNATURE, pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(rows)), pngChunk('IEND', Buffer.alloc(0))]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}
