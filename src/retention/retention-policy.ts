import type { Config } from '../config.js';

/**
 * How long each kind of data is kept (see docs/data-lifecycle.md):
 * - a capture that produced no violation (image, plate reads, parking sightings): `noViolationDays`
 *   after it was taken — a passing vehicle's plate and photo are personal data with no purpose left;
 * - the evidence of a violation: while its case is open, and afterwards until both the one-calendar-
 *   year limitation from the violation and `appealDays` after the case was resolved have passed;
 * - notices, payments and the violation record itself: `archiveYears` after the case ended.
 */
export interface RetentionPolicy {
  noViolationDays: number;
  appealDays: number;
  archiveYears: number;
  batchSize: number;
}

export function retentionPolicy(config: Pick<Config, 'RETENTION_NO_VIOLATION_DAYS' | 'RETENTION_APPEAL_DAYS' | 'RETENTION_ARCHIVE_YEARS' | 'RETENTION_BATCH_SIZE'>): RetentionPolicy {
  return {
    noViolationDays: config.RETENTION_NO_VIOLATION_DAYS,
    appealDays: config.RETENTION_APPEAL_DAYS,
    archiveYears: config.RETENTION_ARCHIVE_YEARS,
    batchSize: config.RETENTION_BATCH_SIZE,
  };
}
