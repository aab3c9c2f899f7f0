import type { Knex } from 'knex';
import * as initialSchema from './20261127000000_initial_schema';
import * as dialpadRateLimits from './20261127010000_dialpad_rate_limits';
import * as adminAuditLog from './20261127020000_admin_audit_log';
import * as callAiDetails from './20261127040000_call_ai_details';
import * as phoneMatchChoices from './20261127030000_phone_match_choices';
import * as dialpadSync from './20261127050000_dialpad_sync';
import * as rawEventsDeadLetters from './20261202000000_raw_events_dead_letters';
import * as rejectionCounts from './20261202010000_rejection_counts';
import * as deliveryTraceparent from './20261203000000_delivery_traceparent';
import * as callMatchKey from './20261203010000_call_match_key';

/**
 * Every migration, in order. Listed explicitly (rather than read from the folder) so the same list
 * works from TypeScript sources, the compiled `dist/`, and the tests.
 */
export const migrations: ReadonlyArray<{ name: string; module: Knex.Migration }> = [
  { name: '20261127000000_initial_schema', module: initialSchema },
  { name: '20261127010000_dialpad_rate_limits', module: dialpadRateLimits },
  { name: '20261127020000_admin_audit_log', module: adminAuditLog },
  { name: '20261127030000_phone_match_choices', module: phoneMatchChoices },
  { name: '20261127040000_call_ai_details', module: callAiDetails },
  { name: '20261127050000_dialpad_sync', module: dialpadSync },
  { name: '20261202000000_raw_events_dead_letters', module: rawEventsDeadLetters },
  { name: '20261202010000_rejection_counts', module: rejectionCounts },
  { name: '20261203000000_delivery_traceparent', module: deliveryTraceparent },
  { name: '20261203010000_call_match_key', module: callMatchKey },
];

export const migrationSource: Knex.MigrationSource<{ name: string; module: Knex.Migration }> = {
  getMigrations: () => Promise.resolve([...migrations]),
  getMigrationName: (m) => m.name,
  getMigration: (m) => Promise.resolve(m.module),
};
