/** What the pipeline worker knows about a capture (from the camera's metadata). */
export interface CaptureFacts {
  captureId: number;
  capturedAt: Date;
  measuredSpeedKmh: number | null;
  signalPhase: 'green' | 'amber' | 'red' | null;
  redElapsedMs: number | null;
  lane: number | null;
  direction: 'forward' | 'reverse' | null;
}

export type CameraType = 'speed' | 'red_light' | 'lane' | 'no_entry' | 'no_parking';

/** The camera settings the rules depend on. */
export interface CameraRules {
  id: number;
  code: string;
  cameraType: CameraType;
  speedLimitKmh: number | null;
  speedToleranceKmh: number;
  allowedLanes: number[] | null;
  dedupWindowS: number;
  noParkingDwellS: number;
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
  kind: 'no_violation' | 'created' | 'merged' | 'no_plate';
  violationIds: number[];
  reason?: string;
}

/** Value of violations.rule. */
export type RuleName = 'speeding' | 'red_light' | 'wrong_lane' | 'no_entry' | 'no_parking';
