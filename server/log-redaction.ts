/**
 * Errors as they may be logged. A database error carries the SQL, its parameters and often row values (in its
 * message, `detail`, `query`, `params`, and in the message of every error wrapping it): none of that may reach a
 * log. What stays is what an operator needs to find the cause: the SQL state, the constraint, table and column
 * names, and the stack frames.
 */

type DatabaseFields = {
  sqlState: string;
  severity?: string;
  constraint?: string;
  table?: string;
  column?: string;
  routine?: string;
};

const SQLSTATE = /^[0-9A-Z]{5}$/;

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The loggable fields of a driver error (postgres.js and PGlite name them differently), or null. */
function databaseFields(error: unknown): DatabaseFields | null {
  if (!error || typeof error !== "object") return null;
  const e = error as Record<string, unknown>;
  const sqlState = text(e.code);
  if (!sqlState || !SQLSTATE.test(sqlState) || !(text(e.severity) || text(e.routine))) return null;
  return {
    sqlState,
    severity: text(e.severity),
    constraint: text(e.constraint_name) ?? text(e.constraint),
    table: text(e.table_name) ?? text(e.table),
    column: text(e.column_name) ?? text(e.column),
    routine: text(e.routine),
  };
}

function chainOf(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current && chain.length < 8; current = (current as { cause?: unknown }).cause) {
    chain.push(current);
  }
  return chain;
}

function typeName(error: unknown): string {
  return error instanceof Error ? error.name || error.constructor.name : typeof error;
}

/** Stack frames only: the first line of a stack repeats the message. */
function frames(error: unknown): string | undefined {
  if (!(error instanceof Error) || !error.stack) return undefined;
  return error.stack
    .split("\n")
    .filter((line) => line.trimStart().startsWith("at "))
    .join("\n");
}

/** The database error in an error's cause chain, if there is one. */
function databaseErrorIn(error: unknown): DatabaseFields | null {
  for (const link of chainOf(error)) {
    const fields = databaseFields(link);
    if (fields) return fields;
  }
  return null;
}

/** pino's `err` serializer: database errors reduced to their safe fields, others as type, message and stack. */
export function serializeError(error: unknown): Record<string, unknown> {
  const database = databaseErrorIn(error);
  const chain = chainOf(error);
  if (database) {
    return {
      type: chain.map(typeName).join(" <- "),
      message: `database error ${database.sqlState}${database.constraint ? ` (${database.constraint})` : ""}`,
      ...database,
      stack: frames(error),
    };
  }
  if (!(error instanceof Error)) return { type: typeof error, message: "a non-Error value was thrown" };
  return {
    type: typeName(error),
    message: error.message,
    stack: error.stack,
    ...(error.cause !== undefined ? { cause: serializeError(error.cause) } : {}),
  };
}

/** One line about an error, safe to log or store: a database error becomes its SQL state and constraint. */
export function describeError(error: unknown): string {
  const database = databaseErrorIn(error);
  if (database) {
    return `database error ${database.sqlState}${database.constraint ? ` (${database.constraint})` : ""}`;
  }
  if (
    error &&
    typeof error === "object" &&
    "shortMessage" in error &&
    typeof error.shortMessage === "string"
  ) {
    return error.shortMessage;
  }
  return error instanceof Error ? error.message : String(error);
}
