import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { VehicleCategory } from '../registry/types.js';
import { ANALYTICS_RULES } from './analytics-events.js';

export const FINES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../data/fines');

/** Offences the camera rules produce: every schedule version must price each of them for the categories it applies to. */
export const RULE_OFFENCES = ['speeding_5_10', 'speeding_10_20', 'speeding_20_35', 'speeding_over_35', 'red_light',
  'wrong_lane', 'wrong_way', 'no_entry', 'no_stopping', 'no_parking', ...ANALYTICS_RULES, 'solid_line_expressway'] as const;
export type Offence = (typeof RULE_OFFENCES)[number];

const BOTH: readonly VehicleCategory[] = ['car', 'motorbike'];
/**
 * Offences the decree has for one category only (helmets and three riders: Điều 7 alone; seat belts, the
 * expressway emergency lane and a lane change across a solid line on an expressway: Điều 6 alone). A schedule must not price them for the other category:
 * such a fine would be made up, and the case is refused instead (see evaluateCapture).
 */
const ONE_CATEGORY: Partial<Record<Offence, readonly VehicleCategory[]>> = {
  no_helmet_rider: ['motorbike'], no_helmet_passenger: ['motorbike'], three_on_motorbike: ['motorbike'],
  no_seat_belt_driver: ['car'], no_seat_belt_passenger: ['car'], emergency_lane: ['car'],
  // Điều 7 has no expressway lane-change point: motorbikes may not be on an expressway at all (7.7.b)
  solid_line_expressway: ['car'],
};

/** The vehicle categories the decree fines `offence` for. */
export function offenceCategories(offence: Offence): readonly VehicleCategory[] {
  return ONE_CATEGORY[offence] ?? BOTH;
}

// Vietnamese legal points: a, b, c, d, đ, e, g, h, i, k, l, m, n, o, p, q, r, s, t, u, v, x, y
const POINT = '^(a|b|c|d|đ|e|g|h|i|k|l|m|n|o|p|q|r|s|t|u|v|x|y)$';

const EntrySchema = Type.Object({
  offence: Type.String({ pattern: '^[a-z0-9_]+$' }),
  category: Type.Union([Type.Literal('car'), Type.Literal('motorbike')]),
  code: Type.String({ minLength: 1 }),
  article: Type.Integer({ minimum: 1, maximum: 200 }),
  clause: Type.Integer({ minimum: 1, maximum: 50 }),
  point: Type.String({ pattern: POINT }),
  fineMin: Type.Integer({ minimum: 1 }),
  fineMax: Type.Integer({ minimum: 1 }),
  points: Type.Integer({ minimum: 0, maximum: 12 }),
  description: Type.String({ minLength: 1 }),
  /** where a figure or the sub-code could not be checked against the decree, or why the entry reads as it does */
  note: Type.Optional(Type.String({ minLength: 1 })),
}, { additionalProperties: false });

const ScheduleSchema = Type.Object({
  version: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]*$' }),
  decree: Type.String({ minLength: 1 }),
  title: Type.Optional(Type.String()),
  note: Type.Optional(Type.String()),
  /** first day in force, Vietnam time (UTC+7) */
  effectiveFrom: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
  /** first day no longer in force; absent = until the next version */
  effectiveTo: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
  codePrefix: Type.String({ pattern: '^\\d{3,8}$' }),
  entries: Type.Array(EntrySchema, { minItems: 1 }),
}, { additionalProperties: false });

export type FineEntry = Static<typeof EntrySchema>;
export type ScheduleFile = Static<typeof ScheduleSchema>;

export interface FineScheduleVersion extends ScheduleFile {
  /** instant the version comes into force */
  from: Date;
  /** instant it stops (explicit effectiveTo, or the next version's start); null = still in force */
  to: Date | null;
}

export class FineScheduleError extends Error {
  override readonly name = 'FineScheduleError';
}

/** A violation dated before the first schedule, or an offence a version does not price. */
export class NoFineError extends Error {
  override readonly name = 'NoFineError';
  readonly code = 'no_fine_schedule';
}

/** Midnight in Vietnam (UTC+7, no daylight saving). */
const vnMidnight = (day: string) => new Date(`${day}T00:00:00+07:00`);

/** Checks each file's shape and their dates against each other; throws FineScheduleError naming the file and problem. */
export function validateSchedules(files: ReadonlyArray<{ name: string; content: unknown }>): FineScheduleVersion[] {
  const versions: Array<FineScheduleVersion & { file: string }> = [];
  for (const { name, content } of files) {
    if (!Value.Check(ScheduleSchema, content)) {
      const e = Value.Errors(ScheduleSchema, content).First()!;
      throw new FineScheduleError(`${name}: ${e.path || '/'} ${e.message}`);
    }
    const s = content;
    const from = vnMidnight(s.effectiveFrom);
    if (Number.isNaN(from.getTime())) throw new FineScheduleError(`${name}: effectiveFrom ${s.effectiveFrom} is not a date`);
    const to = s.effectiveTo ? vnMidnight(s.effectiveTo) : null;
    if (to && !(to > from)) throw new FineScheduleError(`${name}: effectiveTo must be after effectiveFrom`);
    const seen = new Set<string>();
    for (const entry of s.entries) {
      const where = `${name}: ${entry.offence}/${entry.category}`;
      if (seen.has(`${entry.offence}/${entry.category}`)) throw new FineScheduleError(`${where} is listed twice`);
      seen.add(`${entry.offence}/${entry.category}`);
      if (entry.fineMin > entry.fineMax) throw new FineScheduleError(`${where}: fineMin is above fineMax`);
      const stem = `${s.codePrefix}.${entry.article}.${entry.clause}.${entry.point}.`;
      if (!entry.code.startsWith(stem) || !/^\d{2}$/.test(entry.code.slice(stem.length))) {
        throw new FineScheduleError(`${where}: code ${entry.code} does not match article/clause/point (expected ${stem}NN)`);
      }
    }
    for (const offence of RULE_OFFENCES) {
      const categories = offenceCategories(offence);
      for (const category of BOTH) {
        if (categories.includes(category) && !seen.has(`${offence}/${category}`)) {
          throw new FineScheduleError(`${name}: no fine for ${offence} by ${category}, which a camera rule produces`);
        }
        if (!categories.includes(category) && seen.has(`${offence}/${category}`)) {
          throw new FineScheduleError(`${name}: a fine for ${offence} by ${category}, which the decree does not have for that category`);
        }
      }
    }
    versions.push({ ...s, from, to, file: name });
  }
  if (versions.length === 0) throw new FineScheduleError('no fine schedule files found');
  versions.sort((a, b) => a.from.getTime() - b.from.getTime());
  for (let i = 1; i < versions.length; i++) {
    const prev = versions[i - 1]!;
    const cur = versions[i]!;
    if (prev.version === cur.version || versions.slice(0, i).some((v) => v.version === cur.version)) {
      throw new FineScheduleError(`${cur.file}: version ${cur.version} is already used by ${prev.file}`);
    }
    if (prev.from.getTime() === cur.from.getTime() || (prev.to && prev.to > cur.from)) {
      throw new FineScheduleError(`${cur.file} overlaps ${prev.file}: two schedules would be in force on the same day`);
    }
    prev.to ??= cur.from;
  }
  return versions.map(({ file: _file, ...v }) => v);
}

/** Reads and validates every *.json schedule in `dir`. */
export function loadFineSchedules(dir = FINES_DIR): FineScheduleVersion[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return validateSchedules(files.map((name) => {
    try {
      return { name, content: JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as unknown };
    } catch (err) {
      throw new FineScheduleError(`${name}: not valid JSON (${(err as Error).message})`);
    }
  }));
}

let cached: FineScheduleVersion[] | undefined;
/** The schedules shipped in data/fines, loaded and validated once per process. */
export function defaultFineSchedules(): FineScheduleVersion[] {
  cached ??= loadFineSchedules();
  return cached;
}

export function scheduleInForce(versions: readonly FineScheduleVersion[], at: Date): FineScheduleVersion {
  const v = versions.find((s) => s.from <= at && (s.to === null || at < s.to));
  if (!v) throw new NoFineError(`no fine schedule was in force on ${at.toISOString()}`);
  return v;
}

export interface Price {
  scheduleVersion: string;
  offence: string;
  category: VehicleCategory;
  violationCode: string;
  /** e.g. "Điểm đ khoản 5 Điều 6 Nghị định 168/2024/NĐ-CP" */
  legalClause: string;
  description: string;
  fineMin: number;
  fineMax: number;
  /** the midpoint of the range, the amount applied unless an officer finds aggravating or mitigating circumstances */
  fineAmount: number;
  points: number;
}

/** Prices an offence by the schedule in force when it happened. */
export function priceOffence(offence: string, category: VehicleCategory, at: Date, versions: readonly FineScheduleVersion[] = defaultFineSchedules()): Price {
  const s = scheduleInForce(versions, at);
  const entry = s.entries.find((e) => e.offence === offence && e.category === category);
  if (!entry) throw new NoFineError(`schedule ${s.version} has no fine for ${offence} by ${category}`);
  return {
    scheduleVersion: s.version,
    offence,
    category,
    violationCode: entry.code,
    legalClause: `Điểm ${entry.point} khoản ${entry.clause} Điều ${entry.article} Nghị định ${s.decree}`,
    description: entry.description,
    fineMin: entry.fineMin,
    fineMax: entry.fineMax,
    fineAmount: Math.round((entry.fineMin + entry.fineMax) / 2),
    points: entry.points,
  };
}
