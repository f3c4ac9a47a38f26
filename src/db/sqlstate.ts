/**
 * PostgreSQL's error codes (SQLSTATE), named by the condition names of the manual's appendix
 * "PostgreSQL Error Codes", for the errors this code base tells apart by code.
 *
 * Errors that MikroORM's PostgreSQL driver converts into a class of its own are told apart by
 * that class instead (UniqueConstraintViolationException for unique_violation, DeadlockException
 * for deadlock_detected and serialization_failure, …; see `asDriverException` in
 * services/ops/diagnose.ts). What is named here is what it leaves a plain DriverException in
 * 6.6 (lock_not_available, query_canceled, the data exceptions, …), and the errors of raw `pg`
 * clients (server administration, doctor, the read pool's probes), which never pass through it.
 */
export const SQLSTATE = {
  // Class 08: connection exception
  connection_exception: '08000',
  sqlclient_unable_to_establish_sqlconnection: '08001',
  connection_does_not_exist: '08003',
  sqlserver_rejected_establishment_of_sqlconnection: '08004',
  connection_failure: '08006',
  // Class 21: cardinality violation (ON CONFLICT DO UPDATE reaching one row twice)
  cardinality_violation: '21000',
  // Class 22: data exception
  string_data_right_truncation: '22001',
  numeric_value_out_of_range: '22003',
  invalid_datetime_format: '22007',
  datetime_field_overflow: '22008',
  character_not_in_repertoire: '22021',
  invalid_text_representation: '22P02',
  untranslatable_character: '22P05',
  // Class 28: invalid authorization specification
  invalid_authorization_specification: '28000',
  invalid_password: '28P01',
  // Class 3D: invalid catalog name (no such database)
  invalid_catalog_name: '3D000',
  // Class 40: transaction rollback
  serialization_failure: '40001',
  // Class 42: syntax error or access rule violation
  insufficient_privilege: '42501',
  // Class 55: object not in prerequisite state
  object_in_use: '55006',
  lock_not_available: '55P03',
  // Class 57: operator intervention
  query_canceled: '57014',
  admin_shutdown: '57P01',
  crash_shutdown: '57P02',
  cannot_connect_now: '57P03',
} as const;
