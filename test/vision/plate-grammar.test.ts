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
    expect(normalisePlate('', 'vn', { lines: ['29-MĐ1', '311.00'] }).canonical).toBe('29-MD1 311.00');
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
