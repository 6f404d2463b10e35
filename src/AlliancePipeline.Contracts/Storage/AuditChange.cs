using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;

namespace AlliancePipeline.Contracts.Storage;

/// <summary>
/// What one write did to one stored record, as an <see cref="AuditEntity"/> keeps it: the record
/// (<c>{Table}/{RowKey}</c>, its partition being the audit row's study) and the fields that changed, before and after, each
/// as compact JSON objects of the changed fields only (<c>{"JobDate":"2026-04-01T00:00:00Z"}</c>). A record that did not
/// exist has <see cref="Before"/> empty and every field it was created with (nulls left out) in <see cref="After"/>.
/// Values: strings, numbers and booleans as they are, times as UTC ISO 8601 (<c>yyyy-MM-ddTHH:mm:ss.FFFFFFFZ</c>),
/// <c>null</c> for a field removed or never set. A personal field (<see cref="PersonalFields"/>: addresses, names, a
/// key's label and secret hash, a mail error that may quote an address) is named with <see cref="Redacted"/> for its
/// value (or <c>null</c> when it had none): that it changed is kept, never what it held.
/// </summary>
/// <param name="Record">The record: <c>{Table}/{RowKey}</c>, e.g. <c>Outcomes/d-001</c>.</param>
/// <param name="Before">The changed fields as they were, or empty when the record did not exist.</param>
/// <param name="After">The changed fields as they are now.</param>
public sealed record AuditChange(string Record, string Before, string After)
{
    /// <summary>The value written in place of a personal field's.</summary>
    public const string Redacted = "(redacted)";

    /// <summary>The fields whose values are never written into the audit trail.</summary>
    public static readonly FrozenSet<string> PersonalFields = FrozenSet.ToFrozenSet(
        ["Email", "Name", "Coordinators", "Label", "SecretHash", "LastMailError"], StringComparer.Ordinal);

    private static readonly FrozenSet<string> Keys = FrozenSet.ToFrozenSet(
        ["PartitionKey", "RowKey", "Timestamp", "ETag", "odata.etag"], StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    /// <summary>The record name of row <paramref name="rowKey"/> of <paramref name="table"/>.</summary>
    public static string RecordOf(string table, string rowKey) => table + "/" + rowKey;

    /// <summary>
    /// A record's stored fields (not its keys, timestamp or ETag) by name: a typed entity's public properties, or a
    /// <see cref="TableEntity"/>'s entries. A snapshot: later changes of <paramref name="entity"/> do not show in it.
    /// </summary>
    public static IReadOnlyDictionary<string, object?> Fields(ITableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (entity is TableEntity table)
        {
            foreach (var (name, value) in table)
                if (!Keys.Contains(name)) fields[name] = value;
            return fields;
        }
        var properties = Properties.GetOrAdd(entity.GetType(), type => [.. type
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && !Keys.Contains(p.Name))]);
        foreach (var p in properties) fields[p.Name] = p.GetValue(entity);
        return fields;
    }

    /// <summary>
    /// The change from <paramref name="before"/> (null: the record did not exist) to <paramref name="after"/> (the record
    /// as now written whole), or null when no field changed.
    /// </summary>
    public static AuditChange? Between(string table, ITableEntity? before, ITableEntity after)
    {
        ArgumentNullException.ThrowIfNull(after);
        return Of(RecordOf(table, after.RowKey), before is null ? null : Fields(before), Fields(after));
    }

    /// <summary>
    /// The change a merge of <paramref name="merge"/> into <paramref name="before"/> makes (as the table does it: a null
    /// value in a merge is not sent, so it changes nothing), or null when no field changed.
    /// </summary>
    public static AuditChange? Merged(string table, ITableEntity before, TableEntity merge)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(merge);
        var old = Fields(before);
        var after = new Dictionary<string, object?>(old, StringComparer.Ordinal);
        foreach (var (name, value) in Fields(merge))
            if (value is not null) after[name] = value;
        return Of(RecordOf(table, before.RowKey), old, after);
    }

    /// <summary>
    /// The change of <paramref name="record"/> from the fields <paramref name="before"/> (null: it did not exist) to
    /// <paramref name="after"/>, or null when no field changed (compared as they are written: an <c>int</c> and a
    /// <c>long</c> of one value, or one instant in two offsets, are no change).
    /// </summary>
    public static AuditChange? Of(string record, IReadOnlyDictionary<string, object?>? before, IReadOnlyDictionary<string, object?> after)
    {
        ArgumentNullException.ThrowIfNull(after);
        var names = (before?.Keys ?? []).Union(after.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var was = new List<(string Name, string Json)>();
        var now = new List<(string Name, string Json)>();
        foreach (var name in names)
        {
            var b = Json(name, before?.GetValueOrDefault(name));
            var a = Json(name, after.GetValueOrDefault(name));
            if (before is null ? a == "null" : a == b && !(PersonalFields.Contains(name) && Changed(before.GetValueOrDefault(name), after.GetValueOrDefault(name))))
                continue;
            was.Add((name, b));
            now.Add((name, a));
        }
        if (now.Count == 0) return null;
        return new AuditChange(record, before is null ? "" : Object(was), Object(now));
    }

    /// <summary>A field's value as the audit trail writes it (JSON text): what tests compare stored records with.</summary>
    public static string Json(string name, object? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (value is null) return "null";
        if (PersonalFields.Contains(name)) return JsonSerializer.Serialize(Redacted, AuditJson.Default.String);
        return value switch
        {
            bool b => b ? "true" : "false",
            int or long or short or byte => Convert.ToString(value, CultureInfo.InvariantCulture)!,
            double d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : JsonSerializer.Serialize(d.ToString(CultureInfo.InvariantCulture), AuditJson.Default.String),
            DateTimeOffset t => JsonSerializer.Serialize(Time(t), AuditJson.Default.String),
            DateTime t => JsonSerializer.Serialize(Time(new DateTimeOffset(DateTime.SpecifyKind(t, t.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : t.Kind))), AuditJson.Default.String),
            byte[] => JsonSerializer.Serialize("(binary)", AuditJson.Default.String),
            _ => JsonSerializer.Serialize(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "", AuditJson.Default.String),
        };
    }

    /// <summary>The fields of an audit row's <see cref="AuditEntity.Before"/> or <see cref="AuditEntity.After"/> (empty: none).</summary>
    public static IReadOnlyDictionary<string, string> Parse(string json)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(json)) return fields;
        using var doc = JsonDocument.Parse(json);
        foreach (var p in doc.RootElement.EnumerateObject()) fields[p.Name] = p.Value.GetRawText();
        return fields;
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static bool Changed(object? before, object? after) =>
        !string.Equals(Convert.ToString(before, CultureInfo.InvariantCulture), Convert.ToString(after, CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private static string Object(List<(string Name, string Json)> fields)
    {
        var text = new StringBuilder("{");
        foreach (var (name, json) in fields)
        {
            if (text.Length > 1) text.Append(',');
            text.Append(JsonSerializer.Serialize(name, AuditJson.Default.String)).Append(':').Append(json);
        }
        return text.Append('}').ToString();
    }
}

/// <summary>Source-generated JSON for the audit trail's values.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class AuditJson : System.Text.Json.Serialization.JsonSerializerContext;
