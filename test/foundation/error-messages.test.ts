import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { staffWithSession, type TestStaff } from '../helpers/fixtures.js';

let t: TestApp;
let officer: TestStaff;
let finance: TestStaff;
beforeAll(async () => {
  t = await createTestApp();
  officer = await staffWithSession(t.db.pool, 'officer');
  finance = await staffWithSession(t.db.pool, 'finance');
});
afterAll(async () => { await t.close(); });

/** Vietnamese text carries letters English has not (ạ, ư, đ, ...): a message without any is English. */
const VIETNAMESE = /[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]/i;

describe('API error bodies: a Vietnamese message for people, the machine code unchanged', () => {
  it('a body the schema refuses names each field and what is wrong with it', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/notices/PN-PC08-2026-000001/owner-response', headers: officer.headers,
      payload: { response: 'driver_named', driver: { nationalId: '12345', fullName: 'Trần Văn Nam', licenceNumber: '240123456789' } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_request');
    expect(res.json().message).toMatch(/^Dữ liệu gửi lên không hợp lệ: /);
    expect(res.json().message).toContain('nội dung "driver.nationalId": không đúng định dạng');
    expect(res.json().message).toContain('thiếu trường bắt buộc "address"');
    // the validator's own words stay available to developers
    expect(res.json().details.reason).toMatch(/must/);

    const decision = await t.app.inject({ method: 'POST', url: '/api/v1/decisions', headers: officer.headers, payload: { items: [], extra: 1 } });
    expect(decision.json().message).toContain('cần ít nhất 1 phần tử');
    expect(decision.json().message).toContain('trường "extra" không được phép');
    const query = await t.app.inject({ method: 'GET', url: '/api/v1/notices?limit=9999', headers: officer.headers });
    expect(query.json().message).toBe('Dữ liệu gửi lên không hợp lệ: tham số truy vấn "limit": không được lớn hơn 500');
  });

  it('fastify\'s own refusals, access, unknown routes and missing records are Vietnamese too', async () => {
    const answers = await Promise.all([
      t.app.inject({ method: 'POST', url: '/api/v1/decisions', headers: { ...officer.headers, 'content-type': 'application/json' }, payload: '{"items": [' }),
      t.app.inject({ method: 'GET', url: '/api/v1/notices' }),
      t.app.inject({ method: 'GET', url: '/api/v1/escalations', headers: finance.headers }),
      t.app.inject({ method: 'GET', url: '/api/v1/khong-co' }),
      t.app.inject({ method: 'GET', url: '/api/v1/decisions/QD-PC08-2026-000009', headers: officer.headers }),
      t.app.inject({ method: 'GET', url: '/api/v1/notices/PN-PC08-2026-000009/procedure', headers: officer.headers }),
      t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'khong-co-ai', password: 'sai-mat-khau-dai' } }),
    ]);
    expect(answers.map((r) => [r.statusCode, r.json().error])).toEqual([
      [400, 'fst_err_ctp_invalid_json_body'], [401, 'unauthenticated'], [403, 'forbidden'], [404, 'not_found'], [404, 'not_found'], [404, 'not_found'],
      [401, 'invalid_credentials'],
    ]);
    expect(answers.map((r) => r.json().message)).toEqual([
      'Nội dung JSON không hợp lệ', 'Hãy đăng nhập trước (gửi tiêu đề Authorization: Bearer <token>)', 'Thao tác này cần vai trò: cán bộ, quản trị',
      'Không có đường dẫn GET /api/v1/khong-co', 'Không tìm thấy quyết định QD-PC08-2026-000009', 'Không tìm thấy thông báo PN-PC08-2026-000009',
      'Sai tên đăng nhập hoặc mật khẩu',
    ]);
    for (const r of answers) expect(r.json().message).toMatch(VIETNAMESE);
  });
});
