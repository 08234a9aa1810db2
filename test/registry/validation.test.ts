import { describe, expect, it } from 'vitest';
import { createRng, syntheticNationalId, syntheticPlate, syntheticVehicle } from '../../src/registry/synthetic.js';
import { nationalIdProblem, parseRegistryPlate, parseRegistryPlateByTemplates, taxCodeProblem } from '../../src/registry/validation.js';

const today = new Date('2025-06-01T00:00:00Z');

describe('registry validation', () => {
  it('accepts personal ID numbers PPP G YY RRRRRR and names what is wrong with bad ones', () => {
    expect(nationalIdProblem('001090123456', today)).toBeNull();
    expect(nationalIdProblem('079305123456', today)).toBeNull();
    expect(nationalIdProblem('00109012345', today)).toMatch(/12 chữ số/);
    expect(nationalIdProblem('000090123456', today)).toMatch(/mã tỉnh 000/);
    expect(nationalIdProblem('097090123456', today)).toMatch(/mã tỉnh 097/);
    expect(nationalIdProblem('001490123456', today)).toMatch(/giới tính\/thế kỷ 4/);
    expect(nationalIdProblem('001230123456', today)).toMatch(/năm sinh 2030/);
  });

  it('accepts tax codes with or without a branch suffix', () => {
    expect(taxCodeProblem('0101234567')).toBeNull();
    expect(taxCodeProblem('0101234567-001')).toBeNull();
    expect(taxCodeProblem('01012345')).not.toBeNull();
  });

  it('stores registry plates canonically and refuses look-alikes the camera grammar would repair', () => {
    expect(parseRegistryPlate('30A-123.45', 'car')).toEqual({ plate: '30A-123.45', plateKey: '30A12345' });
    expect(parseRegistryPlate('29B1-678.90', 'motorbike')).toEqual({ plate: '29-B1 678.90', plateKey: '29B167890' });
    expect(parseRegistryPlate('29-AA 123.45', 'motorbike')).toEqual({ plate: '29-AA 123.45', plateKey: '29AA12345' });
    expect(parseRegistryPlate('3OA-123.45', 'car')).toEqual({ problem: expect.stringContaining('có phải 30A-123.45?') });
    expect(parseRegistryPlate('13A-123.45', 'car')).toHaveProperty('problem');
    expect(parseRegistryPlate('30A-12', 'car')).toHaveProperty('problem');
  });

  it('generates synthetic IDs and plates that pass the same validation, reproducibly from a seed', () => {
    const rng = createRng(42);
    for (let i = 0; i < 500; i++) {
      expect(nationalIdProblem(syntheticNationalId(rng), today)).toBeNull();
      const car = syntheticPlate(rng, 'car');
      expect(parseRegistryPlate(car.plate, 'car')).toEqual(car);
      const bike = syntheticPlate(rng, 'motorbike');
      expect(parseRegistryPlate(bike.plate, 'motorbike')).toEqual(bike);
    }
    expect(syntheticVehicle(createRng(7))).toEqual(syntheticVehicle(createRng(7)));
  });
});

describe('registry plates read without the template fitter', () => {
  it('gives exactly what the fitter gives for every common-shaped key, valid or not', () => {
    const rng = createRng(2014);
    const letters = 'ABCDEFGHKLMNPRSTUVXYZIOQWJ';
    for (let i = 0; i < 2_500; i++) {
      let key = String(10 + Math.floor(rng() * 90)) + letters[Math.floor(rng() * letters.length)];
      const tail = 4 + Math.floor(rng() * 3);
      for (let j = 0; j < tail; j++) key += rng() < 0.95 ? String(Math.floor(rng() * 10)) : letters[Math.floor(rng() * letters.length)];
      for (const type of ['car', 'motorbike'] as const) {
        const quick = parseRegistryPlate(key, type);
        const fitted = parseRegistryPlateByTemplates(key, type);
        if ('problem' in fitted) expect(quick, key).toHaveProperty('problem');
        else expect(quick, key).toEqual(fitted);
      }
    }
  });
});
