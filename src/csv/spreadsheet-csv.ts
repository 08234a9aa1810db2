import { stringify, type Input, type Options } from 'csv-stringify/sync';

// a spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection")
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell a spreadsheet shows as text: a leading quote keeps `=HYPERLINK(...)` from running. */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * CSV meant to be opened in a spreadsheet. Every export goes through here, so a plate, reference or
 * reason supplied by a camera, a bank statement or an import file can never become a formula.
 * Numbers are written as they are (a negative amount is not text).
 */
export function spreadsheetCsv(rows: Input, options: Options = {}): string {
  return stringify(rows, { ...options, cast: { ...options.cast, string: neutraliseFormula } });
}
