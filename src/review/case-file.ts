import type { Queryable } from '../db/pool.js';
import { vehicleParticulars, type VehicleParticulars } from '../registry/lookup.js';
import { evidenceForViolation, type EvidenceItem } from './evidence.js';

export interface CaseFile {
  violation: {
    id: number;
    status: string;
    rule: string;
    violationCode: string;
    legalClause: string;
    description: string;
    vehicleCategory: string;
    occurredAt: Date;
    lastSeenAt: Date | null;
    plateText: string;
    plateColour: string;
    readConfidence: number;
    matchStatus: string;
    vehicleId: number | null;
    ownerId: number | null;
    suspectedClone: boolean;
    cloneReason: string | null;
    /** why approval needs the officer's explicit confirmation (e.g. an implausible speed reading), in Vietnamese */
    reviewWarning: string | null;
    scheduleVersion: string;
    fineMin: number;
    fineMax: number;
    fineAmount: number;
    points: number;
    details: Record<string, unknown>;
    createdAt: Date;
  };
  camera: { id: number; code: string; name: string; province: string; address: string; cameraType: string };
  /** the matched vehicle and its owner at the time of the violation */
  registered: VehicleParticulars | null;
  /** candidates of a fuzzy or ambiguous match, each with its vehicle and owner when still registered */
  matchCandidates: Array<Record<string, unknown> & { particulars: VehicleParticulars | null }>;
  claim: { userId: number; username: string; expiresAt: Date } | null;
  decision: { userId: number; username: string; at: Date; rejectReason: string | null; rejectNote: string | null } | null;
  evidence: EvidenceItem[];
}

interface CaseRow {
  id: number; status: string; rule: string; violation_code: string; legal_clause: string; description: string;
  vehicle_category: string; occurred_at: Date; last_seen_at?: Date | null; plate_text: string; plate_colour: string;
  read_confidence: number; match_status: string; vehicle_id: number | null; owner_id: number | null; suspected_clone: boolean;
  clone_reason: string | null; review_warning: string | null; schedule_version: string; fine_min: number; fine_max: number; fine_amount: number; points: number;
  details: Record<string, unknown>; created_at: Date; match_candidates: unknown[];
  claimed_by: number | null; claim_expires_at: Date | null; claim_live: boolean | null; claimer: string | null;
  decided_by: number | null; decided_at: Date | null; decider: string | null; reject_reason: string | null; reject_note: string | null;
  camera_id: number; camera_code: string; camera_name: string; camera_province: string; camera_address: string; camera_type: string;
}

/** Everything an officer needs to decide one case. Expired claims read as no claim. */
export async function getCaseFile(db: Queryable, violationId: number): Promise<CaseFile | null> {
  const { rows } = await db.query<CaseRow>(
    `SELECT v.*,
            c.code AS camera_code, c.name AS camera_name, c.province AS camera_province, c.address AS camera_address,
            c.camera_type, cu.username AS claimer, v.claim_expires_at > now() AS claim_live, du.username AS decider
     FROM violations v
     JOIN cameras c ON c.id = v.camera_id
     LEFT JOIN users cu ON cu.id = v.claimed_by
     LEFT JOIN users du ON du.id = v.decided_by
     WHERE v.id = $1`,
    [violationId],
  );
  const r = rows[0];
  if (!r) return null;
  const candidates = (r.match_candidates ?? []) as Array<Record<string, unknown>>;
  const candidateIds = candidates.map((c) => c.vehicleId).filter((id): id is number => typeof id === 'number');
  const particulars = await vehicleParticulars(db, [...new Set([...(r.vehicle_id ? [r.vehicle_id] : []), ...candidateIds])], r.occurred_at);
  return {
    violation: {
      id: r.id,
      status: r.status,
      rule: r.rule,
      violationCode: r.violation_code,
      legalClause: r.legal_clause,
      description: r.description,
      vehicleCategory: r.vehicle_category,
      occurredAt: r.occurred_at,
      lastSeenAt: r.last_seen_at ?? null,
      plateText: r.plate_text,
      plateColour: r.plate_colour,
      readConfidence: r.read_confidence,
      matchStatus: r.match_status,
      vehicleId: r.vehicle_id,
      ownerId: r.owner_id,
      suspectedClone: r.suspected_clone,
      cloneReason: r.clone_reason,
      reviewWarning: r.review_warning,
      scheduleVersion: r.schedule_version,
      fineMin: r.fine_min,
      fineMax: r.fine_max,
      fineAmount: r.fine_amount,
      points: r.points,
      details: r.details,
      createdAt: r.created_at,
    },
    camera: { id: r.camera_id, code: r.camera_code, name: r.camera_name, province: r.camera_province, address: r.camera_address, cameraType: r.camera_type },
    registered: r.vehicle_id ? particulars.get(r.vehicle_id) ?? null : null,
    matchCandidates: candidates.map((c) => ({ ...c, particulars: typeof c.vehicleId === 'number' ? particulars.get(c.vehicleId) ?? null : null })),
    claim: r.claimed_by !== null && r.claim_live ? { userId: r.claimed_by, username: r.claimer!, expiresAt: r.claim_expires_at! } : null,
    decision: r.decided_by !== null
      ? { userId: r.decided_by, username: r.decider!, at: r.decided_at!, rejectReason: r.reject_reason, rejectNote: r.reject_note }
      : null,
    evidence: await evidenceForViolation(db, violationId),
  };
}
