/**
 * For one statement run on its own (autocommit) whose commit need not wait for PostgreSQL to flush
 * its write-ahead log: `synchronous_commit` is off for that statement's own transaction only
 * (`set_config(…, true)` ends with it; the connection's next statement is synchronous again). The
 * statement must name the CTE `UNFLUSHED` and read `UNFLUSHED_USED`, or PostgreSQL skips the CTE.
 *
 * Only where a synchronous commit of the same request follows before anything is acknowledged (a
 * flush covers every earlier commit), and never inside `transaction()` (the setting would hold for
 * the whole transaction). Why: a row every statement updates (an account's allowance) stays locked
 * until its commit is flushed, so such statements went one flush at a time (docs/decisions/025).
 * On PGlite it changes nothing.
 */
export const UNFLUSHED = `unflushed as (select set_config('synchronous_commit', 'off', true))`;
export const UNFLUSHED_USED = '(select count(*) from unflushed)';
