/**
 * What the importer needs to know about one predecessor layout: how to recognise it, how
 * each legacy column becomes a column of this schema, and what must be derived or converted
 * on the way. A later predecessor revision is one more `LegacyLayout` beside the first; the
 * engine (import.ts) does not change.
 */
import type { TableName } from '../../entities';

/** One legacy table read into one table of this schema. */
export interface LegacyTableMapping {
  /** The predecessor's table name. */
  legacy: string;
  target: TableName;
  /**
   * Target column → SQL expression over the legacy table (aliased `x`). `id` is the legacy
   * primary key; parent-id columns hold legacy ids. Target columns left out are derived (or null).
   */
  columns: Record<string, string>;
}

/** A rewrite of a value this schema spells differently; each rewritten row is listed in the report. */
export interface LegacyConversion {
  target: TableName;
  rule: string;
  description: string;
  /** Which staged rows it applies to (SQL over the staged row). */
  where: string;
  /** The assignments (`speed = 'medium'`). */
  set: string;
  /** The original values, for the report (a jsonb expression over the staged row). */
  offending: string;
}

export interface LegacyLayout {
  /** The Alembic revision (`alembic_version.version_num`) this layout is. */
  revision: string;
  /** Where it comes from, for messages and docs. */
  source: string;
  /** Legacy tables and the columns each must have: how the layout is recognised. */
  tables: Record<string, string[]>;
  /** Parents before children, in the order of this schema's TABLES. */
  mappings: LegacyTableMapping[];
  /**
   * Statements run on the staged rows of a table before its checks, to fill columns the
   * predecessor did not store (they read the parent staging tables, `stage_<table>`, by legacy id).
   */
  derive: Partial<Record<TableName, string[]>>;
  conversions: LegacyConversion[];
  /**
   * Optional links whose parent, when rejected, takes the child with it rather than being
   * cleared (`table.column`): a cycle without its synchronization would lose its pass and speed.
   */
  rejectWithParent: string[];
}
