import { spreadsheetCsv } from '../csv/spreadsheet-csv.js';
import { vehicleTypeLabel, vnDateTime } from '../csv/vietnamese-labels.js';
import type { RegistryEntry } from './escalate.js';

export const REGISTRY_CSV_COLUMNS = ['Biển số', 'Loại xe', 'Số thông báo', 'Thời điểm vi phạm (giờ Việt Nam)', 'Hạn giải quyết (giờ Việt Nam)',
  'Ngày chuyển (giờ Việt Nam)', 'Ngày gỡ (giờ Việt Nam)'] as const;

/** The list as CSV for the inspection registry, one vehicle per line with a header row (unless `header` is false: a later chunk), in Vietnamese. */
export function registryCsv(entries: readonly RegistryEntry[], header = true): string {
  return spreadsheetCsv(entries.map((e) => [e.plate, vehicleTypeLabel(e.vehicleType), e.noticeNumber, vnDateTime(e.violationDate), vnDateTime(e.dueDate),
    vnDateTime(e.escalatedAt), e.liftedAt ? vnDateTime(e.liftedAt) : '']),
  { header, columns: [...REGISTRY_CSV_COLUMNS] });
}

/** The whole list as CSV chunks: the header, then one chunk per page of entries. */
export async function* registryCsvChunks(pages: AsyncIterable<readonly RegistryEntry[]>): AsyncGenerator<string> {
  yield registryCsv([], true);
  for await (const entries of pages) yield registryCsv(entries, false);
}
