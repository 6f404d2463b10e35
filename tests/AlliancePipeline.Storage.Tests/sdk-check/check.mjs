// Cross-check of the REST Table client with the official Azure Tables SDK for JavaScript (@azure/data-tables).
//   node check.mjs read  <connectionString> <table> <partitionKey> <rowKey>
//     prints {"partitionKey":…,"rowKey":…,"properties":{"Name":{"type":"Int64","value":"…"},…}} as the SDK reads it
//   node check.mjs write <connectionString> <table> <partitionKey> <rowKey>
//     writes one entity with one property of each EDM type, typed explicitly through the SDK
import { TableClient } from "@azure/data-tables";

const [command, connectionString, table, partitionKey, rowKey] = process.argv.slice(2);
if (!command || !connectionString || !table || partitionKey === undefined || rowKey === undefined) {
  console.error("usage: node check.mjs read|write <connectionString> <table> <partitionKey> <rowKey>");
  process.exit(2);
}

const client = TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });

if (command === "read") {
  const entity = await client.getEntity(partitionKey, rowKey, { disableTypeConversion: true });
  const properties = {};
  for (const [name, property] of Object.entries(entity)) {
    if (["partitionKey", "rowKey", "timestamp", "etag", "odata.metadata"].includes(name)) continue;
    properties[name] = typeof property === "object" && property !== null && "type" in property
      ? { type: property.type, value: String(property.value) }
      : { type: typeof property, value: String(property) };
  }
  console.log(JSON.stringify({ partitionKey: entity.partitionKey, rowKey: entity.rowKey, properties }));
} else if (command === "write") {
  await client.createTable();
  await client.createEntity({
    partitionKey,
    rowKey,
    Text: "written by the official SDK – ü",
    Int32: { value: -42, type: "Int32" },
    Int64: { value: "9007199254740993", type: "Int64" },
    Double: { value: 2, type: "Double" },
    Flag: true,
    When: { value: "2024-02-29T13:45:30.1234567Z", type: "DateTime" },
    Id: { value: "0f8fad5b-d9cb-469f-a165-70867728950e", type: "Guid" },
    Bytes: new Uint8Array([0, 1, 2, 254, 255]),
  });
  console.log(JSON.stringify({ written: true }));
} else {
  console.error(`unknown command '${command}'`);
  process.exit(2);
}
