import { spreadsheetCsv } from '../csv/spreadsheet-csv.js';
import type { RegistryEntry } from './escalate.js';

export const REGISTRY_CSV_COLUMNS = ['plate', 'vehicle_type', 'notice_number', 'violation_date', 'due_date', 'escalated_at', 'lifted_at'] as const;

/** The list as CSV for the inspection registry, one vehicle per line with a header row. */
export function registryCsv(entries: readonly RegistryEntry[]): string {
  return spreadsheetCsv(entries.map((e) => [e.plate, e.vehicleType, e.noticeNumber, e.violationDate, e.dueDate, e.escalatedAt, e.liftedAt ?? '']),
    { header: true, columns: [...REGISTRY_CSV_COLUMNS] });
}
