import { createHash, randomBytes } from 'node:crypto';

/** A random bearer secret (session token or camera API key); only its sha256 is stored. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
