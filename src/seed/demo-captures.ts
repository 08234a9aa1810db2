import type { Pool } from '../db/pool.js';
import { ingestCapture, type IngestDeps } from '../ingest/ingest-capture.js';
import type { CaptureMetadata } from '../ingest/metadata.js';
import { categoryOfVehicleType, type VehicleCategory, type VehicleType } from '../registry/types.js';
import type { AnalyticsEvent, EventSubject } from '../violations/analytics-events.js';
import { createRng, type Rng } from '../registry/synthetic.js';
import { DEMO_CAMERAS } from './demo.js';
import { plateLines, renderPlateFrame } from './synthetic-frames.js';
import { DAY_MS } from '../vietnam-time.js';

export interface DemoCaptureResult {
  created: number;
  duplicates: number;
}

/**
 * Sends `count` camera frames of registered demo vehicles through the real ingest, each one a
 * violation of its camera's rule (speeding, red light, wrong lane, wrong way, parking, an analytics event that
 * fits the vehicle: no helmet on a motorbike, no seat belt in a car, ...). Workers then
 * read, match and price them, so the review queue has real cases. Deterministic: seeding twice
 * sends the same images, which ingest recognises as duplicates.
 */
export async function seedDemoCaptures(deps: IngestDeps & { pool: Pool }, opts: { count: number; seed: number; now?: Date }): Promise<DemoCaptureResult> {
  const rng = createRng(opts.seed + 1);
  const now = opts.now ?? new Date();
  const { rows: vehicles } = await deps.pool.query<{ plate: string; vehicle_type: VehicleType; plate_colour: 'white' | 'yellow' | 'blue' }>(
    `SELECT plate, vehicle_type, plate_colour FROM vehicles WHERE plate_colour IN ('white', 'yellow', 'blue') ORDER BY id LIMIT $1`,
    [Math.max(opts.count * 5, 50)],
  );
  const result: DemoCaptureResult = { created: 0, duplicates: 0 };
  for (let i = 0; i < opts.count && vehicles.length > 0; i++) {
    const vehicle = vehicles[Math.floor(rng() * vehicles.length)]!;
    const camera = DEMO_CAMERAS[i % DEMO_CAMERAS.length]!;
    const category = categoryOfVehicleType(vehicle.vehicle_type);
    const layout = category === 'motorbike' ? 'two-line' : 'one-line';
    const at = new Date(now.getTime() - Math.floor(rng() * 3 * DAY_MS) - 600_000);
    const frames = camera.cameraType === 'no_parking' || camera.cameraType === 'no_stopping'
      ? [at, new Date(at.getTime() + (camera.noParkingDwellS ?? 300) * 1000 + 60_000)]
      : [at];
    for (const [k, capturedAt] of frames.entries()) {
      const image = await renderPlateFrame(plateLines(vehicle.plate, layout), { seed: opts.seed * 100_000 + i * 10 + k, plateColour: vehicle.plate_colour });
      const outcome = await ingestCapture(deps, {
        camera: { code: camera.code }, image, source: 'http', sourceName: `demo-${i}-${k}.jpg`,
        metadata: violationMetadata(camera.cameraType, camera.speedLimitKmh ?? null, capturedAt, rng, category),
      });
      if (outcome.duplicate) result.duplicates++;
      else result.created++;
    }
  }
  return result;
}

/** Events each category can be fined for, with who broke the rule where the decree asks. */
const DEMO_EVENTS: Record<VehicleCategory, Array<[AnalyticsEvent, EventSubject | null]>> = {
  car: [['phone', null], ['no_seat_belt', 'driver'], ['no_seat_belt', 'passenger'], ['solid_line', null], ['stop_line', null], ['no_left_turn', null]],
  motorbike: [['no_helmet', 'driver'], ['no_helmet', 'passenger'], ['three_on_motorbike', null], ['phone', null], ['pavement', null], ['no_right_turn', null]],
};

function violationMetadata(type: string, limit: number | null, capturedAt: Date, rng: Rng, category: VehicleCategory): CaptureMetadata {
  const base: CaptureMetadata = { capturedAt, speedKmh: null, signalPhase: null, redElapsedMs: null, amberElapsedMs: null, lane: null, direction: null };
  switch (type) {
    case 'speed': return { ...base, speedKmh: (limit ?? 60) + 6 + Math.round(rng() * 380) / 10, lane: 1 + Math.floor(rng() * 2) };
    case 'red_light': return { ...base, signalPhase: 'red', redElapsedMs: 800 + Math.floor(rng() * 4000) };
    case 'lane': return { ...base, lane: 3 };
    case 'no_entry': return { ...base, direction: 'forward' };
    case 'wrong_way': return { ...base, direction: 'reverse' };
    case 'analytics': {
      const [event, eventSubject] = DEMO_EVENTS[category][Math.floor(rng() * DEMO_EVENTS[category].length)]!;
      return { ...base, event, eventSubject };
    }
    default: return base;
  }
}
