/** What `ae-db import-legacy` reports: per table, and one line per row it merged, rejected or converted. */
import type { TableName } from '../../entities';

export type Disposition = 'merged' | 'rejected' | 'converted' | 'link_cleared' | 'id_remapped' | 'moved';

export interface ReportRow {
  legacyTable: string;
  legacyId: number;
  disposition: Disposition;
  rule: string;
  /** The values that broke the rule (or were changed), as JSON. */
  offending: Record<string, unknown>;
  targetTable: TableName;
  /** The row of this schema it became or was merged into, when there is one. */
  targetId: number | null;
}

export interface TableSummary {
  legacyTable: string;
  targetTable: TableName;
  read: number;
  /** New rows written by this run. */
  imported: number;
  /** Rows already in the target with the same content (an earlier import): nothing to do. */
  alreadyPresent: number;
  merged: number;
  rejected: number;
}

export interface LegacyImportResult {
  revision: string;
  sourceSchema: string;
  /** The source server's TimeZone, in which its bookkeeping times were read. */
  sourceTimeZone: string;
  dryRun: boolean;
  tables: TableSummary[];
  report: ReportRow[];
  rowsRead: number;
  rowsImported: number;
  durationMs: number;
}

const REPORT_COLUMNS = [
  'legacy_table',
  'legacy_id',
  'disposition',
  'rule',
  'offending_values',
  'target_table',
  'target_id',
];

/** The report as CSV (RFC 4180 quoting), one line per merged, rejected or converted row. */
export function reportCsv(rows: ReportRow[]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = rows.map((r) =>
    [r.legacyTable, r.legacyId, r.disposition, r.rule, r.offending, r.targetTable, r.targetId].map(cell).join(','),
  );
  return [REPORT_COLUMNS.join(','), ...lines].join('\n') + '\n';
}
