import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findNoticeNumber, parseAmount, parseStatementDate } from '../../src/finance/statement.js';
import { LocalBlobStore } from '../../src/storage/blob-store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { decideNotice, seedCamera, seedNotice, staffWithSession, type SeededNotice, type TestStaff } from '../helpers/fixtures.js';

// the payments below are dated early November 2026: their notices were issued before that
const ISSUED_BEFORE_PAYMENTS = new Date('2026-11-02T09:00:00+07:00');

describe('statement fields', () => {
  it('reads whole-VND amounts with or without Vietnamese or English grouping and currency', () => {
    expect(parseAmount('19000000')).toBe(19_000_000);
    expect(parseAmount('19.000.000')).toBe(19_000_000);
    expect(parseAmount('19,000,000 VND')).toBe(19_000_000);
    expect(parseAmount('19.000.000 đ')).toBe(19_000_000);
    expect(parseAmount('19000000.00')).toBe(19_000_000);
    for (const bad of ['', '-19000000', '19.000,5', 'abc', '0', '1.90.000']) expect(parseAmount(bad)).toBeNull();
  });

  it('reads dates as ISO or DD/MM/YYYY, in Vietnam time unless a zone is given, and refuses impossible dates', () => {
    expect(parseStatementDate('2026-11-03')?.toISOString()).toBe('2026-11-02T17:00:00.000Z');
    expect(parseStatementDate('03/11/2026')?.toISOString()).toBe('2026-11-02T17:00:00.000Z');
    expect(parseStatementDate('03/11/2026 09:15')?.toISOString()).toBe('2026-11-03T02:15:00.000Z');
    expect(parseStatementDate('2026-11-03T09:15:00Z')?.toISOString()).toBe('2026-11-03T09:15:00.000Z');
    for (const bad of ['31/02/2026', '2026-13-01', '11/3/26', 'hôm qua']) expect(parseStatementDate(bad)).toBeNull();
  });

  it('finds a notice number in a transfer note even when the bank stripped or replaced its dashes', () => {
    expect(findNoticeNumber('NOP PHAT PN-PC08-2026-000123 BIEN SO 30A12345')).toBe('PN-PC08-2026-000123');
    expect(findNoticeNumber('nop phat pn pc08 2026 000123')).toBe('PN-PC08-2026-000123');
    expect(findNoticeNumber('PNPC082026000123 Nguyen Van A')).toBe('PN-PC08-2026-000123');
    expect(findNoticeNumber('', 'ref', 'chuyen tien hoc phi')).toBeNull();
  });
});

let t: TestApp;
let finance: TestStaff;
let officer: TestStaff;
let a: SeededNotice;
let b: SeededNotice;
let paidAtCounter: SeededNotice;

beforeAll(async () => {
  t = await createTestApp();
  const storage = new LocalBlobStore(t.config.STORAGE_DIR);
  finance = await staffWithSession(t.db.pool, 'finance');
  officer = await staffWithSession(t.db.pool, 'officer');
  const cam = await seedCamera(t.db.pool);
  a = await seedNotice(t.db.pool, storage, { cameraId: cam.id, officer, issuedAt: ISSUED_BEFORE_PAYMENTS });
  b = await seedNotice(t.db.pool, storage, { cameraId: cam.id, officer, rule: 'speeding', issuedAt: ISSUED_BEFORE_PAYMENTS });
  paidAtCounter = await seedNotice(t.db.pool, storage, { cameraId: cam.id, officer, issuedAt: ISSUED_BEFORE_PAYMENTS });
  // the violators came forward: each notice has its penalty decision, which the payments settle
  for (const n of [a, b, paidAtCounter]) await decideNotice(t.app, officer, n.noticeNumber);
});

afterAll(async () => {
  await t.close();
});

function multipart(csv: string, fields: Record<string, string> = {}) {
  const boundary = '----phatnguoi';
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="statement.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n`);
  return { payload: Buffer.from(`${parts.join('')}--${boundary}--\r\n`), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const upload = (csv: string, fields: Record<string, string> = {}, query = '') => {
  const body = multipart(csv, fields);
  return t.app.inject({ method: 'POST', url: `/api/v1/payments/import${query}`, headers: { ...finance.headers, ...body.headers }, payload: body.payload });
};

describe('POST /api/v1/payments/import', () => {
  it('records matched lines and reports every unmatched line with its reason', async () => {
    const counter = await t.app.inject({ method: 'POST', url: '/api/v1/payments', headers: finance.headers,
      payload: { noticeNumber: paidAtCounter.noticeNumber, amount: 19_000_000, paidAt: '2026-11-04T10:00:00+07:00', method: 'cash', reference: 'QUAY-1' } });
    expect(counter.statusCode).toBe(201);
    const csv = [
      'date,amount,reference,description',
      `03/11/2026,19.000.000,FT001,NOP PHAT ${a.noticeNumber.replace(/-/g, ' ')}`,
      `2026-11-03,5000000,FT002,nop phat ${b.noticeNumber}`,
      `2026-11-03,4000000,FT003,nop phat ${b.noticeNumber} lan 1`,
      '2026-11-03,200000,FT004,chuyen tien an trua',
      '2026-11-03,19000000,FT005,PN-PC08-2020-999999',
      `2026-11-05,19000000,FT006,${paidAtCounter.noticeNumber}`,
      `yesterday,19000000,FT007,${a.noticeNumber}`,
    ].join('\n');
    const res = await upload(csv);
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ method: 'bank_transfer', lines: 7, matched: 2, alreadyRecorded: 0, unmatched: 5, matchedAmount: 24_000_000 });
    expect(report.outcomes.map((o: { line: number; status: string; reason?: string }) => [o.line, o.status, o.reason ?? null])).toEqual([
      [2, 'matched', null],
      [3, 'matched', null],
      [4, 'unmatched', 'decision_already_paid'],
      [5, 'unmatched', 'no_notice_number'],
      [6, 'unmatched', 'unknown_notice'],
      [7, 'unmatched', 'decision_already_paid'],
      [8, 'unmatched', 'invalid_line'],
    ]);
    const payments = await t.db.pool.query<{ reference: string; source: string; paid_at: Date }>(
      `SELECT reference, source, paid_at FROM payments WHERE method = 'bank_transfer' ORDER BY reference`);
    expect(payments.rows).toEqual([
      { reference: 'FT001', source: 'statement_import', paid_at: new Date('2026-11-02T17:00:00Z') },
      { reference: 'FT002', source: 'statement_import', paid_at: new Date('2026-11-02T17:00:00Z') },
    ]);
  });

  it('reports an amount that does not settle the notice as amount_mismatch', async () => {
    const storage = new LocalBlobStore(t.config.STORAGE_DIR);
    const cam = await seedCamera(t.db.pool);
    const n = await seedNotice(t.db.pool, storage, { cameraId: cam.id, officer, issuedAt: ISSUED_BEFORE_PAYMENTS });
    await decideNotice(t.app, officer, n.noticeNumber);
    const res = await upload(`date;amount;reference;description\n2026-11-06;9000000;KB-9;${n.noticeNumber}\n`, { method: 'treasury' });
    expect(res.json()).toMatchObject({ method: 'treasury', matched: 0, outcomes: [{ status: 'unmatched', reason: 'amount_mismatch', noticeNumber: n.noticeNumber, amount: 9_000_000 }] });
  });

  it('records nothing twice when the same statement is imported again', async () => {
    const csv = `date,amount,reference,description\n03/11/2026,19.000.000,FT001,NOP PHAT ${a.noticeNumber}\n`;
    const res = await upload(csv);
    expect(res.json()).toMatchObject({ lines: 1, matched: 0, alreadyRecorded: 1, unmatched: 0 });
    const count = await t.db.pool.query(`SELECT count(*)::int AS n FROM payments WHERE reference = 'FT001'`);
    expect(count.rows[0].n).toBe(1);
  });

  it('returns the reconciliation as CSV on ?format=csv', async () => {
    const res = await upload('date,amount,reference,description\n2026-11-03,200000,FT100,tien dien\n', {}, '?format=csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.body.split('\n')[0]).toBe('\ufeffDòng,Kết quả,Lý do,Số quyết định / thông báo,Số tiền (đồng),Mã giao dịch,Chi tiết');
    expect(res.body).toContain('2,Không khớp,Không có số quyết định hoặc số thông báo,,200000,FT100,');
  });

  it('refuses a file without the required columns (400 naming them), a non-multipart body (415) and a bad method (400)', async () => {
    const noColumns = await upload('ngày,số tiền\n2026-11-03,1000\n');
    expect(noColumns.statusCode).toBe(400);
    expect(noColumns.json()).toMatchObject({ error: 'invalid_statement', message: expect.stringContaining('reference, description') });
    const json = await t.app.inject({ method: 'POST', url: '/api/v1/payments/import', headers: finance.headers, payload: { csv: 'x' } });
    expect(json.statusCode).toBe(415);
    const method = await upload('date,amount,reference,description\n', { method: 'cash' });
    expect(method.statusCode).toBe(400);
    expect(method.json().error).toBe('invalid_method');
  });
});
