import type { VehicleCategory, VehicleType } from '../registry/types.js';
import { ANALYTICS_RULES, type AnalyticsEvent, type EventSubject } from './analytics-events.js';

/** What the pipeline worker knows about a capture (from the camera's metadata). */
export interface CaptureFacts {
  captureId: number;
  capturedAt: Date;
  measuredSpeedKmh: number | null;
  /** the signal when the vehicle crossed the stop line */
  signalPhase: 'green' | 'amber' | 'red' | null;
  redElapsedMs: number | null;
  /** time from the light turning amber to the vehicle crossing the stop line (signal_phase amber) */
  amberElapsedMs: number | null;
  lane: number | null;
  direction: 'forward' | 'reverse' | null;
  /** set at ingest when the measured speed is implausible: the case goes to review flagged, never priced unseen */
  speedWarning?: string | null;
  /** what an analytics camera's own analytics saw (analytics cameras only) */
  event?: AnalyticsEvent | null;
  /** who broke the rule, for the events fined differently for the driver and a passenger */
  eventSubject?: EventSubject | null;
}

/** `analytics`: a camera whose own video analytics reports the event (src/violations/analytics-events.ts) */
export const CAMERA_TYPES = ['speed', 'red_light', 'lane', 'no_entry', 'wrong_way', 'no_parking', 'no_stopping', 'analytics'] as const;
export type CameraType = (typeof CAMERA_TYPES)[number];

/** A time window of a sign's ban, Vietnam time (e.g. 06:00 to 09:00); `to` before `from` runs past midnight. */
export interface BanWindow {
  from: string;
  to: string;
}

/** The camera settings the rules depend on. */
export interface CameraRules {
  id: number;
  code: string;
  cameraType: CameraType;
  speedLimitKmh: number | null;
  speedToleranceKmh: number;
  /** lanes any vehicle may use (lane cameras), unless its category has its own list */
  allowedLanes: number[] | null;
  /** lanes per Decree 168 category, where the lane signs differ for cars and motorbikes */
  allowedLanesByCategory: Partial<Record<VehicleCategory, number[]>> | null;
  /** vehicle kinds the no-entry sign bans (no-entry cameras) */
  noEntryVehicleTypes: VehicleType[];
  /** hours the no-entry sign applies; empty = at all times */
  noEntryHours: BanWindow[];
  /** a vehicle crossing the stop line less than this long after amber was at the stop line when the light turned */
  amberToleranceMs: number;
  dedupWindowS: number;
  /** standing at least this long under "Cấm dừng xe và đỗ xe" is stopping (shorter: held up in traffic) */
  stopDwellS: number;
  /** standing at least this long is parking */
  noParkingDwellS: number;
  /** the camera watches an expressway (decides the clause of some analytics events) */
  expressway?: boolean;
  plateProfile: 'vn' | 'generic';
}

/** The top plate read of the capture. */
export interface ReadFacts {
  plateReadId: number;
  plateText: string;
  plateKey: string;
  colour: 'white' | 'yellow' | 'blue' | 'red' | 'white_red' | 'unknown';
  confidence: number;
  valid: boolean;
  lowConfidence: boolean;
  layout: 'one-line' | 'two-line';
}

export interface EvaluationOutcome {
  /** refused: a violation that cannot be priced as reported (e.g. a seat-belt event on a motorbike); `reason` is Vietnamese, for operators */
  kind: 'no_violation' | 'created' | 'merged' | 'no_plate' | 'refused';
  violationIds: number[];
  reason?: string;
}

/** Value of violations.rule. */
export const RULE_NAMES = ['speeding', 'red_light', 'wrong_lane', 'no_entry', 'wrong_way', 'no_parking', 'no_stopping', ...ANALYTICS_RULES] as const;
export type RuleName = (typeof RULE_NAMES)[number];

/** What is known of the vehicle when a rule depends on its kind: from the registry, else from the plate alone. */
export interface VehicleKind {
  /** registered vehicle type; null when the vehicle is not in the registry */
  type: VehicleType | null;
  category: VehicleCategory;
  source: 'registry' | 'plate_inference';
  reason: string;
}
