// The scale benchmark's one change to the pinned Azurite, loaded only with --keyed-lookups (NODE_OPTIONS=--require).
//
// Azurite keeps each table in a LokiJS collection indexed on PartitionKey and on RowKey, and finds an entity with
// findOne({ PartitionKey, RowKey }). LokiJS uses the index of the query's first key only and reads the rest of the
// result one by one, so every insert, point read, merge and delete reads the whole partition: in one partition of
// 16,000 entities, 16,000 inserts take 47 s on this machine against 1 s when RowKey leads (few entities share a
// RowKey). A study of 10,000 dyads holds 80,000 assessments in one partition, where each point operation would cost
// about 0.25 s; Azure Table Storage finds an entity by its keys. This puts RowKey first in such lookups: the same
// entity is found (both keys still match), by the other index. Nothing else changes.
'use strict';
const fs = require('fs');
const path = require('path');
try {
  const script = fs.realpathSync(process.argv[1] || '');
  const loki = require(require.resolve('lokijs', { paths: [path.dirname(script)] }));
  const reorder = query => {
    if (query && typeof query === 'object' && !Array.isArray(query) && 'PartitionKey' in query && 'RowKey' in query) {
      const { RowKey, PartitionKey, ...rest } = query;
      return { RowKey, PartitionKey, ...rest };
    }
    return query;
  };
  for (const name of ['findOne', 'find']) {
    const original = loki.Collection.prototype[name];
    loki.Collection.prototype[name] = function (query, ...args) { return original.call(this, reorder(query), ...args); };
  }
} catch (e) {
  // Not Azurite (no LokiJS beside the script): nothing to change.
}
