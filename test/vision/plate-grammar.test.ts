import { describe, it, expect } from 'vitest';
import { isProvinceCode, normalisePlate, plateKey } from '../../src/vision/plate-grammar.js';

describe('plateKey', () => {
  it('keeps upper-case letters and digits in reading order', () => {
    expect(plateKey('59-u1 352.26')).toBe('59U135226');
    expect(plateKey('29-MĐ1 311.00')).toBe('29MD131100');
  });
});

describe('isProvinceCode', () => {
  it('accepts issued codes and rejects unused ones', () => {
    expect(isProvinceCode('29')).toBe(true);
    expect(isProvinceCode('80')).toBe(true);
    for (const unused of ['10', '13', '42', '44', '45', '46', '87', '91', '96', '05', '1A']) {
      expect(isProvinceCode(unused)).toBe(false);
    }
  });
});

describe('normalisePlate, profile vn', () => {
  it('formats a one-line car plate', () => {
    expect(normalisePlate('30A12345', 'vn')).toMatchObject({ canonical: '30A-123.45', valid: true, provinceCode: '30' });
    expect(normalisePlate('29a-1234', 'vn').canonical).toBe('29A-1234');
  });

  it('formats a two-line motorbike plate from its lines', () => {
    const r = normalisePlate('', 'vn', { lines: ['29-B1', '123.45'] });
    expect(r).toMatchObject({ canonical: '29-B1 123.45', valid: true, provinceCode: '29', series: 'B1' });
    expect(normalisePlate('', 'vn', { lines: ['52S2', '4832'] }).canonical).toBe('52-S2 4832');
    expect(normalisePlate('', 'vn', { lines: ['29AA', '12345'] }).canonical).toBe('29-AA 123.45');
  });

  it('writes a two-line car plate like a long one', () => {
    expect(normalisePlate('', 'vn', { lines: ['30G', '21514'] }).canonical).toBe('30G-215.14');
  });

  it('reads look-alike letters as digits where digits must be', () => {
    expect(normalisePlate('3OA-I23.45', 'vn').canonical).toBe('30A-123.45');
    expect(normalisePlate('', 'vn', { lines: ['59-C1', '3O9.2B'] }).canonical).toBe('59-C1 309.28');
  });

  it('reads look-alike digits as series letters, never I, J, O, Q or W', () => {
    expect(normalisePlate('', 'vn', { lines: ['608', '36638'] }).canonical).toBe('60B-366.38');
    expect(normalisePlate('', 'vn', { lines: ['60-87', '36638'] }).canonical).toBe('60-B7 366.38');
    expect(normalisePlate('300-12345', 'vn').canonical).toBe('30D-123.45');
  });

  it('keeps two-letter and electric (MĐ) series when the glyphs are letters', () => {
    expect(normalisePlate('', 'vn', { lines: ['29AB', '15947'] }).canonical).toBe('29-AB 159.47');
    expect(normalisePlate('', 'vn', { lines: ['29-MĐ1', '311.00'] }).canonical).toBe('29-MĐ1 311.00');
  });

  it('reads a three-character series as the electric MĐ series, the only one there is (H or N before Đ is an M)', () => {
    expect(normalisePlate('', 'vn', { lines: ['60-HD1', '010.38'] }).canonical).toBe('60-MĐ1 010.38');
    expect(normalisePlate('', 'vn', { lines: ['41-ND1', '204.98'] }).canonical).toBe('41-MĐ1 204.98');
  });

  it('shows Đ in MĐ and TĐ series while the key keeps D, so matching is unchanged', () => {
    const electric = normalisePlate('', 'vn', { lines: ['60-MD1', '018.74'] });
    expect(electric).toMatchObject({ canonical: '60-MĐ1 018.74', key: '60MD101874', series: 'MĐ1' });
    expect(normalisePlate('50TD02440', 'vn').canonical).toBe('50TĐ-024.40');
    expect(plateKey('50TĐ-024.40')).toBe('50TD02440');
  });

  it('tells a square car plate from a motorbike plate by its series, not by the layout alone', () => {
    expect(normalisePlate('', 'vn', { lines: ['50LD', '205.25'] }).canonical).toBe('50LD-205.25');
    expect(normalisePlate('', 'vn', { lines: ['41DA', '000.34'] }).canonical).toBe('41DA-000.34');
    expect(normalisePlate('', 'vn', { lines: ['72-AC', '093.68'] }).canonical).toBe('72-AC 093.68');
    expect(normalisePlate('14LA1752', 'vn').canonical).toBe('14LA-1752');
  });

  it('reads military plates: two letters, then two pairs of digits, no province', () => {
    const r = normalisePlate('TC3386', 'vn');
    expect(r).toMatchObject({ canonical: 'TC-33-86', valid: true, kind: 'military', series: 'TC' });
    expect(r.provinceCode).toBeUndefined();
    expect(normalisePlate('', 'vn', { lines: ['QH', '55-98'] }).canonical).toBe('QH-55-98');
  });

  it('keeps Q in QT and G in NG: foreign-entity series and diplomatic plates', () => {
    expect(normalisePlate('80QT54642', 'vn').canonical).toBe('80QT-546.42');
    expect(normalisePlate('80-011-NG-01', 'vn')).toMatchObject({ canonical: '80-011-NG-01', kind: 'diplomatic', provinceCode: '80' });
    expect(normalisePlate('', 'vn', { lines: ['80-631', 'CV-01'] }).canonical).toBe('80-631-CV-01');
  });

  it('reads old motorbike plates with the series after the number', () => {
    expect(normalisePlate('', 'vn', { lines: ['43', '829-LH'] }).canonical).toBe('43 829-LH');
    expect(normalisePlate('60715K', 'vn').canonical).toBe('60 715-K');
  });

  it('never reads a camera timestamp or a caption as a plate', () => {
    expect(normalisePlate('20140428065455', 'vn').valid).toBe(false);
    expect(normalisePlate('PLATESMANIACOM', 'vn').valid).toBe(false);
  });

  it('rejects text that only fits the grammar after many repairs', () => {
    const r = normalisePlate('AYO9034', 'vn');
    expect(r.valid).toBe(false);
    expect(r.canonical).toBe('AYO9034');
    expect(r.provinceCode).toBeUndefined();
  });

  it('rejects reads of the wrong length', () => {
    expect(normalisePlate('30A1', 'vn').valid).toBe(false);
    expect(normalisePlate('30A12345678', 'vn').valid).toBe(false);
  });

  it('does not invent a province for an unused code', () => {
    expect(normalisePlate('13A12345', 'vn').valid).toBe(false);
  });

  it('reports one confidence per character of the key', () => {
    const r = normalisePlate('', 'vn', { lines: ['29-B1', '123.45'] });
    expect(r.charConfidences).toHaveLength(plateKey(r.canonical).length);
  });
});

describe('normalisePlate, profile generic', () => {
  it('cleans without correcting look-alikes', () => {
    expect(normalisePlate('ayo-9034', 'generic')).toMatchObject({ canonical: 'AYO9034', valid: true });
    expect(normalisePlate('0DJ1599', 'generic').canonical).toBe('0DJ1599');
  });

  it('calls plate-like only 5 to 8 symbols mixing letters and digits', () => {
    expect(normalisePlate('RENAULT', 'generic').valid).toBe(false);
    expect(normalisePlate('1234', 'generic').valid).toBe(false);
    expect(normalisePlate('B 123 XYZ', 'generic').valid).toBe(true);
  });
});
