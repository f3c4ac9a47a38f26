/**
 * Errors the services raise on purpose. Each one carries a message meant for a person;
 * the CLI prints it as is and GraphQL maps it to a stable error code.
 */
export class UserError extends Error {
  readonly code: string = 'BAD_USER_INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** A destructive operation was asked for without its confirmation. */
export class ConfirmationRequiredError extends UserError {
  readonly code = 'CONFIRMATION_REQUIRED';
}

/** The write lost a race with another writer (a unique key, a deadlock): retrying is safe. */
export class ConflictError extends UserError {
  readonly code = 'CONFLICT';
}

/** A migration run failed and was rolled back; the database stays at the version it had. */
export class MigrationFailedError extends UserError {
  readonly code = 'MIGRATION_FAILED';
}

/** An admin transaction waited AE_LOCK_TIMEOUT_MS for a lock another session holds, and was rolled back. */
export class LockTimeoutError extends UserError {
  readonly code = 'LOCK_TIMEOUT';
  constructor(
    readonly lockTimeoutMs: number,
    /** The other sessions holding locks on the tables when it gave up. */
    readonly holders: string[] = [],
  ) {
    super(
      `Gave up after waiting ${lockTimeoutMs} ms (AE_LOCK_TIMEOUT_MS) for a table lock that another session holds` +
        `${holders.length ? `: ${holders.join(', ')}` : ''}; nothing was changed. ` +
        'Retry when that session has finished (a long query, or a transaction left open), or raise AE_LOCK_TIMEOUT_MS.',
    );
  }
}

/** One broken rule of a write: which field, which rule, and what is wrong. */
export interface FieldViolation {
  field: string;
  rule: string;
  message: string;
  /** Position in a batch, when the write was one. */
  index?: number;
}

export class ValidationFailedError extends UserError {
  constructor(readonly violations: FieldViolation[]) {
    super(
      `Invalid input: ${violations
        .slice(0, 5)
        .map((v) => `${v.index !== undefined ? `[${v.index}] ` : ''}${v.field}: ${v.message}`)
        .join('; ')}${violations.length > 5 ? `; … ${violations.length - 5} more` : ''}`,
    );
  }
}
