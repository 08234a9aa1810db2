import { IngestRejection } from './errors.js';

export interface ProbedClip {
  contentType: 'video/mp4' | 'video/webm';
  bytes: number;
}

/**
 * Decides from the bytes whether a clip is a video container we keep: MP4 (an ISO base media file,
 * "ftyp" box first) or WebM (EBML header). Not decoded: the clip is kept as the camera sent it and
 * shown by the viewer's player; its sha256 is what proves it unchanged.
 */
export function probeClip(data: Buffer, maxBytes: number): ProbedClip {
  if (data.length === 0) throw new IngestRejection(400, 'empty_clip', 'Đoạn video rỗng (0 byte).');
  if (data.length > maxBytes) throw new IngestRejection(413, 'clip_too_large', `Đoạn video dài ${data.length} byte, vượt giới hạn ${maxBytes} byte.`);
  if (data.length >= 12 && data.toString('latin1', 4, 8) === 'ftyp') return { contentType: 'video/mp4', bytes: data.length };
  if (data.length >= 4 && data.readUInt32BE(0) === 0x1a45dfa3) return { contentType: 'video/webm', bytes: data.length };
  throw new IngestRejection(415, 'unsupported_clip', 'Đoạn video không phải định dạng MP4 hoặc WebM.');
}
