/** One schema failure as ajv reports it (the parts used here). */
export interface SchemaFailure {
  instancePath?: string;
  keyword: string;
  params?: Record<string, unknown>;
  message?: string;
}

const WHERE: Record<string, string> = { body: 'nội dung', querystring: 'tham số truy vấn', params: 'đường dẫn', headers: 'tiêu đề' };

/** What is wrong with one field, in Vietnamese (ajv's own text is English). */
function reason(f: SchemaFailure): string {
  const p = f.params ?? {};
  switch (f.keyword) {
    case 'required': return `thiếu trường bắt buộc "${String(p.missingProperty)}"`;
    case 'additionalProperties': return `trường "${String(p.additionalProperty)}" không được phép`;
    case 'pattern': return 'không đúng định dạng';
    case 'format': return `không đúng định dạng ${p.format === 'date-time' ? 'thời điểm (ISO 8601, ví dụ 2026-11-22T08:00:00+07:00)' : p.format === 'date' ? 'ngày (YYYY-MM-DD)' : String(p.format)}`;
    case 'minLength': return `quá ngắn (ít nhất ${String(p.limit)} ký tự)`;
    case 'maxLength': return `quá dài (tối đa ${String(p.limit)} ký tự)`;
    case 'minimum': return `phải từ ${String(p.limit)} trở lên`;
    case 'exclusiveMinimum': return `phải lớn hơn ${String(p.limit)}`;
    case 'maximum': return `không được lớn hơn ${String(p.limit)}`;
    case 'exclusiveMaximum': return `phải nhỏ hơn ${String(p.limit)}`;
    case 'minItems': return `cần ít nhất ${String(p.limit)} phần tử`;
    case 'maxItems': return `tối đa ${String(p.limit)} phần tử`;
    case 'type': return `sai kiểu dữ liệu (cần ${({ string: 'chuỗi', integer: 'số nguyên', number: 'số', boolean: 'true/false', object: 'đối tượng', array: 'danh sách', null: 'null' } as Record<string, string>)[String(p.type)] ?? String(p.type)})`;
    case 'enum': case 'const': case 'anyOf': case 'oneOf': case 'union': return 'giá trị không nằm trong các giá trị được chấp nhận';
    default: return 'giá trị không hợp lệ';
  }
}

/**
 * A Vietnamese message for a request the schemas refused, naming each field and what is wrong with it,
 * e.g. `Dữ liệu gửi lên không hợp lệ: nội dung "plate": không đúng định dạng`. Only the first few are named.
 */
export function validationMessage(context: string | undefined, failures: readonly SchemaFailure[]): string {
  // a union reports a failure per branch: each field is named once, with the first (the main branch's) reason
  const byField = new Map<string, string>();
  for (const f of failures) {
    const key = (f.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.') || '(toàn bộ)';
    if (!byField.has(key)) byField.set(key, reason(f));
  }
  const where = WHERE[context ?? ''] ?? 'yêu cầu';
  const parts = [...byField].slice(0, 5).map(([field, why]) => (field === '(toàn bộ)' ? `${where}: ${why}` : `${where} "${field}": ${why}`));
  return `Dữ liệu gửi lên không hợp lệ: ${parts.join('; ')}`;
}
