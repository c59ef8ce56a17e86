// The store's dispatch table: each op name of the op table (../ops.ts) to its handler.
import { sqlDialect } from './db.js';
import { status } from './schema.js';
import { conversations } from './conversations.js';
import { admin } from './admin.js';
import { channels } from './channels.js';
import { reflexes } from './reflexes.js';
import { turnEnd } from './turn-end.js';
import { jobs } from './jobs.js';
import { routines } from './routines.js';
import { memory } from './memory.js';
import { memoryGraph } from './memory-graph.js';
import { memorySearch } from './memory-search.js';
import { goals } from './goals.js';
import { goalRecords } from './goal-records.js';
import { usage } from './usage.js';
/** @import { StoreHandlers } from '../ops.js' */

/**
 * Every op of the table, none missing (each module's handlers are checked against it too).
 * @satisfies {StoreHandlers}
 */
export const operations = {
  ...conversations,
  ...admin,
  ...channels,
  ...reflexes,
  ...turnEnd,
  ...jobs,
  ...routines,
  ...memory,
  ...memoryGraph,
  ...memorySearch,
  ...goals,
  ...goalRecords,
  ...usage,
  'schema.status': () => ({ ...status(), dialect: sqlDialect() }),
};
