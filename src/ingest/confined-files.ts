import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { IngestRejection } from './errors.js';

/** A sidecar is a few fields of JSON; anything larger is not one. */
export const MAX_SIDECAR_BYTES = 64 * 1024;

/**
 * Why a camera's drop folder is refused, or null: it must be an absolute path strictly under
 * DROP_FOLDER_ROOT, without `..`, and (where it exists) without a symbolic link on the way, so an
 * operator cannot point the drop-folder process, which moves and reads files, at /etc or elsewhere.
 */
export async function dropFolderProblem(root: string, folder: string): Promise<string | null> {
  if (!path.isAbsolute(folder)) return 'Thư mục nhận ảnh phải là đường dẫn tuyệt đối';
  if (folder.split(/[\\/]+/).includes('..')) return 'Thư mục nhận ảnh không được chứa ".."';
  if (folder.includes('\0')) return 'Thư mục nhận ảnh chứa ký tự NUL';
  const realRoot = await realpath(path.resolve(root)).catch(() => path.resolve(root));
  const resolved = path.resolve(folder);
  const inside = (p: string) => p.startsWith(realRoot + path.sep);
  if (!inside(resolved)) return `Thư mục nhận ảnh phải nằm trong ${realRoot}`;
  const real = await realpath(resolved).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? resolved : null));
  if (real === null || real !== resolved || !inside(real)) return 'Thư mục nhận ảnh không được là hoặc đi qua liên kết tượng trưng (symlink)';
  return null;
}

/**
 * Reads a regular file without following a symbolic link (O_NOFOLLOW) and refuses it when larger
 * than `maxBytes`, checked on the open descriptor so the file cannot be swapped in between.
 */
export async function readDroppedFile(file: string, maxBytes: number, what: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new IngestRejection(400, 'symlink_refused', `${what} ${path.basename(file)} is a symbolic link; links are not followed`);
    throw err;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new IngestRejection(400, 'not_a_file', `${what} ${path.basename(file)} is not a regular file`);
    if (info.size > maxBytes) throw new IngestRejection(413, 'too_large', `${what} ${path.basename(file)} has ${info.size} bytes; at most ${maxBytes} are accepted`);
    const buffer = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(buffer, 0, info.size, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
