import { appendAudit, type Actor } from '../audit/audit-log.js';
import type { PoolClient } from '../db/pool.js';
import { communeUnitFor, findUnitByCode, type HandlingUnit } from '../units/units.js';
import { lockNoticeCase, requireOpen } from './case-state.js';
import { ProcedureError } from './errors.js';

/**
 * Hands a case to another unit, normally the commune/ward police where the owner lives (TT 73/2024 Đ24):
 * the named unit, or without one the commune police serving the owner's registered address. The public
 * lookup shows the new unit at once; records and decisions are made in its name. Audited `notice.forwarded`.
 */
export async function forwardNotice(tx: PoolClient, noticeNumber: string, unitCode: string | undefined, actor: Actor): Promise<HandlingUnit> {
  const c = await lockNoticeCase(tx, noticeNumber);
  requireOpen(c);
  let unit: HandlingUnit | null;
  if (unitCode) {
    unit = await findUnitByCode(tx, unitCode);
    if (!unit) throw new ProcedureError('unit_not_found', `Không có đơn vị mã ${unitCode}`);
  } else {
    const { rows } = await tx.query<{ address: string; province: string }>(
      'SELECT o.address, o.province FROM notices n JOIN owners o ON o.id = n.owner_id WHERE n.id = $1', [c.noticeId]);
    const owner = rows[0];
    unit = owner ? await communeUnitFor(tx, owner.address, owner.province) : null;
    if (!unit || !owner) {
      throw new ProcedureError('no_commune_unit', `Không tìm thấy Công an xã/phường phụ trách địa chỉ của chủ phương tiện${owner ? ` (${owner.address}, ${owner.province})` : ''}; hãy chọn đơn vị`);
    }
  }
  const decided = await tx.query('SELECT 1 FROM violation_records WHERE notice_id = $1', [c.noticeId]);
  if (decided.rowCount) throw new ProcedureError('record_exists', `Thông báo ${noticeNumber} đã lập biên bản; không chuyển đơn vị khác`);
  if (unit.id === c.handlingUnitId) return unit;
  await tx.query('UPDATE notices SET handling_unit_id = $2, forwarded_at = now() WHERE id = $1', [c.noticeId, unit.id]);
  await appendAudit(tx, {
    actorId: actor.id, actor: actor.username, action: 'notice.forwarded', entityType: 'notice', entityId: c.noticeId,
    details: { noticeNumber, fromUnitId: c.handlingUnitId, toUnit: unit.code },
  });
  return unit;
}
