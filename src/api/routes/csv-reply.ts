import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';

/** UTF-8 byte-order mark: without it Excel opens a CSV as the local code page and garbles Vietnamese. */
const BOM = '\ufeff';

/** A report as a CSV download; the route's JSON response schema does not describe it, so the reply is sent untyped. */
export function sendCsv(reply: FastifyReply, name: string, csv: string): FastifyReply {
  return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(BOM + csv);
}

/** A long report as a CSV download written chunk by chunk as `chunks` yields them. */
export function sendCsvStream(reply: FastifyReply, name: string, chunks: AsyncIterable<string>): FastifyReply {
  const body = Readable.from((async function* () {
    yield BOM;
    yield* chunks;
  })());
  return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(body);
}

/**
 * The same report as an .xlsx workbook (one sheet, bold header row, numbers as numbers), for staff who
 * work in a spreadsheet: made from the report's CSV so both downloads always hold the same rows.
 */
export async function sendSpreadsheet(reply: FastifyReply, name: string, csv: string): Promise<FastifyReply> {
  const rows = parse(csv, { relax_column_count: true }) as string[][];
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Báo cáo');
  rows.forEach((row, i) => sheet.addRow(i === 0 ? row : row.map((cell) => (/^-?\d{1,15}$/.test(cell) ? Number(cell) : cell))));
  sheet.getRow(1).font = { bold: true };
  sheet.columns.forEach((column) => { column.width = 18; });
  const bytes = Buffer.from(await book.xlsx.writeBuffer());
  return reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    .header('content-disposition', `attachment; filename="${name}"`).send(bytes);
}
