import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelPath, verifySha256 } from '../../src/vision/models.js';
import { ModelError } from '../../src/vision/errors.js';

describe('model files', () => {
  it('resolves every manifest entry to an installed file with the pinned hash', () => {
    for (const id of ['det', 'rec', 'recKeys', 'tesseractEng'] as const) {
      expect(modelPath(id)).toMatch(/node_modules/);
    }
    // the plate reader has no npm package: it is committed beside the manifest
    expect(modelPath('plateReader')).toMatch(/models\/cct_xs_v1_global\.onnx$/);
  });

  it('refuses a file whose bytes differ from the manifest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alpr-'));
    try {
      const file = join(dir, 'model.onnx');
      writeFileSync(file, 'tampered');
      const err = (() => { try { verifySha256(file, '0'.repeat(64)); } catch (e) { return e; } })();
      expect(err).toBeInstanceOf(ModelError);
      expect((err as ModelError).code).toBe('hash_mismatch');
      expect(() => verifySha256(join(dir, 'absent.onnx'), '0'.repeat(64))).toThrow(/not found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
