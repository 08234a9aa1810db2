import type { Queryable } from '../db/pool.js';

export const NOTICE_STATUSES = ['issued', 'escalated', 'resolved', 'cancelled'] as const;
export type NoticeStatus = (typeof NOTICE_STATUSES)[number];

export interface NoticeSummary {
  id: number;
  noticeNumber: string;
  violationId: number;
  status: NoticeStatus;
  plate: string;
  rule: string;
  cameraCode: string;
  occurredAt: string;
  amount: number;
  paid: number;
  outstanding: number;
  issuedAt: string;
  dueAt: string;
  escalatedAt: string | null;
  resolvedAt: string | null;
  pdfSha256: string | null;
  pdfRenderedAt: string | null;
}

export interface NoticeFilter {
  status?: NoticeStatus;
  plate?: string;
  /** a notice number, or the start of one */
  numberPrefix?: string;
  /** the owner's national ID or tax code, exactly */
  ownerIdentifier?: string;
  cameraCode?: string;
  issuedFrom?: Date;
  issuedTo?: Date;
  rendered?: boolean;
  limit: number;
  offset: number;
}

interface Row {
  id: number; notice_number: string; violation_id: number; status: NoticeStatus; plate_text: string; rule: string; camera_code: string;
  occurred_at: Date; amount: number; paid: number; issued_at: Date; due_at: Date; escalated_at: Date | null; resolved_at: Date | null;
  pdf_sha256: string | null; pdf_rendered_at: Date | null;
}

const SELECT = `
  SELECT n.id, n.notice_number, n.violation_id, n.status, v.plate_text, v.rule, c.code AS camera_code, v.occurred_at, n.amount,
         -- paid on the notice itself (before decisions existed), or settled by its paid penalty decision
         (coalesce((SELECT sum(p.amount) FROM payments p WHERE p.notice_id = n.id), 0)
          + coalesce((SELECT i.fine_amount FROM decision_items i JOIN penalty_decisions d ON d.id = i.decision_id WHERE i.notice_id = n.id AND d.status = 'paid'), 0))::bigint AS paid,
         n.issued_at, n.due_at, n.escalated_at, n.resolved_at, n.pdf_sha256, n.pdf_rendered_at
  FROM notices n JOIN violations v ON v.id = n.violation_id JOIN cameras c ON c.id = v.camera_id`;

function toSummary(r: Row): NoticeSummary {
  return {
    id: r.id, noticeNumber: r.notice_number, violationId: r.violation_id, status: r.status, plate: r.plate_text, rule: r.rule,
    cameraCode: r.camera_code, occurredAt: r.occurred_at.toISOString(), amount: r.amount, paid: r.paid,
    outstanding: r.status === 'cancelled' || r.status === 'resolved' ? 0 : Math.max(0, r.amount - r.paid),
    issuedAt: r.issued_at.toISOString(), dueAt: r.due_at.toISOString(),
    escalatedAt: r.escalated_at?.toISOString() ?? null, resolvedAt: r.resolved_at?.toISOString() ?? null,
    pdfSha256: r.pdf_sha256, pdfRenderedAt: r.pdf_rendered_at?.toISOString() ?? null,
  };
}

/** Notices newest first, with the total matching the filter (for paging). `plate` is a plate key. */
export async function listNotices(db: Queryable, f: NoticeFilter): Promise<{ total: number; items: NoticeSummary[] }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => { params.push(value); where.push(sql.replace('?', `$${params.length}`).replace('$ID', `$${params.length}`)); };
  if (f.status) add('n.status = ?', f.status);
  if (f.plate) add('v.plate_key = ?', f.plate);
  if (f.numberPrefix) add("n.notice_number LIKE ? || '%'", f.numberPrefix.replace(/[\\%_]/g, (ch) => `\\${ch}`));
  if (f.ownerIdentifier) add('v.owner_id IN (SELECT o.id FROM owners o WHERE o.national_id = ? OR o.tax_code = $ID)', f.ownerIdentifier);
  if (f.cameraCode) add('c.code = ?', f.cameraCode);
  if (f.issuedFrom) add('n.issued_at >= ?', f.issuedFrom);
  if (f.issuedTo) add('n.issued_at < ?', f.issuedTo);
  if (f.rendered !== undefined) where.push(f.rendered ? 'n.pdf_sha256 IS NOT NULL' : 'n.pdf_sha256 IS NULL');
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const count = await db.query<{ n: number }>(
    `SELECT count(*)::bigint AS n FROM notices n JOIN violations v ON v.id = n.violation_id JOIN cameras c ON c.id = v.camera_id ${clause}`, params);
  const { rows } = await db.query<Row>(`${SELECT} ${clause} ORDER BY n.issued_at DESC, n.id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, f.limit, f.offset]);
  return { total: count.rows[0]!.n, items: rows.map(toSummary) };
}

export async function findNoticeByNumber(db: Queryable, noticeNumber: string): Promise<NoticeSummary | null> {
  const { rows } = await db.query<Row>(`${SELECT} WHERE n.notice_number = $1`, [noticeNumber]);
  return rows[0] ? toSummary(rows[0]) : null;
}

export async function findNoticeById(db: Queryable, id: number): Promise<NoticeSummary | null> {
  const { rows } = await db.query<Row>(`${SELECT} WHERE n.id = $1`, [id]);
  return rows[0] ? toSummary(rows[0]) : null;
}

/** The notice issued for a violation, if any (cancelled ones included: the case file shows what happened). */
export async function noticeNumberOfViolation(db: Queryable, violationId: number): Promise<string | null> {
  const { rows } = await db.query<{ notice_number: string }>('SELECT notice_number FROM notices WHERE violation_id = $1 ORDER BY id DESC LIMIT 1', [violationId]);
  return rows[0]?.notice_number ?? null;
}
