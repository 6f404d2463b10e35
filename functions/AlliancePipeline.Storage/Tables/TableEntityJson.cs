using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Azure;

namespace AlliancePipeline.Storage.Tables;

/// <summary>
/// The Table service's JSON entity format (OData v3, "Payload format for Table service operations"): each property
/// whose EDM type JSON cannot carry is written with a <c>Name@odata.type</c> annotation (Edm.Int64 as a string,
/// Edm.DateTime as ISO 8601 UTC, Edm.Guid, Edm.Binary as base64, Edm.Double); on reading, the annotation decides the
/// CLR type, and an unannotated number is Edm.Int32 when integral and Edm.Double otherwise.
/// </summary>
internal static class TableEntityJson
{
    private const string TypeSuffix = "@odata.type";

    public static byte[] Serialize(TableEntity entity)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteEntity(writer, entity);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void WriteEntity(Utf8JsonWriter writer, TableEntity entity)
    {
        writer.WriteStartObject();
        writer.WriteString("PartitionKey", entity.PartitionKey);
        writer.WriteString("RowKey", entity.RowKey);
        foreach (var (name, value) in entity)
        {
            switch (value)
            {
                case string s:
                    writer.WriteString(name, s);
                    break;
                case bool b:
                    writer.WriteBoolean(name, b);
                    break;
                case int i:
                    writer.WriteNumber(name, i);
                    break;
                case long l:
                    writer.WriteString(name, l.ToString(CultureInfo.InvariantCulture));
                    writer.WriteString(name + TypeSuffix, "Edm.Int64");
                    break;
                case double d:
                    if (double.IsFinite(d)) writer.WriteNumber(name, d);
                    else writer.WriteString(name, double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                    writer.WriteString(name + TypeSuffix, "Edm.Double");
                    break;
                case DateTimeOffset dto:
                    writer.WriteString(name, FormatDateTime(dto));
                    writer.WriteString(name + TypeSuffix, "Edm.DateTime");
                    break;
                case DateTime dt:
                    writer.WriteString(name, FormatDateTime(ToOffset(dt)));
                    writer.WriteString(name + TypeSuffix, "Edm.DateTime");
                    break;
                case Guid g:
                    writer.WriteString(name, g.ToString("D"));
                    writer.WriteString(name + TypeSuffix, "Edm.Guid");
                    break;
                case byte[] or BinaryData:
                    writer.WriteBase64String(name, Bytes(value));
                    writer.WriteString(name + TypeSuffix, "Edm.Binary");
                    break;
                default:
                    throw new ArgumentException($"The property '{name}' is a {value?.GetType().Name}, which has no EDM type.", nameof(entity));
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>The ISO 8601 UTC form with seven fractional digits the service stores.</summary>
    public static string FormatDateTime(DateTimeOffset value)
        => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A <see cref="DateTime"/> as an instant: UTC and unspecified kinds are taken as UTC, local times are converted.</summary>
    public static DateTimeOffset ToOffset(DateTime value)
        => value.Kind == DateTimeKind.Local ? new DateTimeOffset(value).ToUniversalTime() : new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public static byte[] Bytes(object value) => value switch
    {
        byte[] b => b,
        BinaryData d => d.ToArray(),
        _ => throw new ArgumentException("Not binary.", nameof(value)),
    };

    public static TableEntity ReadEntity(JsonElement element, string? etagHeader = null)
    {
        string partitionKey = "", rowKey = "";
        var entity = new TableEntity("", "");
        foreach (var property in element.EnumerateObject())
        {
            var name = property.Name;
            if (name.StartsWith("odata.", StringComparison.Ordinal))
            {
                if (name == "odata.etag") entity.ETag = new ETag(property.Value.GetString()!);
                continue;
            }

            if (name.EndsWith(TypeSuffix, StringComparison.Ordinal)) continue;
            switch (name)
            {
                case "PartitionKey":
                    partitionKey = property.Value.GetString() ?? "";
                    continue;
                case "RowKey":
                    rowKey = property.Value.GetString() ?? "";
                    continue;
                case "Timestamp":
                    entity.Timestamp = ParseDateTime(property.Value.GetString()!);
                    continue;
            }

            var type = element.TryGetProperty(name + TypeSuffix, out var annotation) ? annotation.GetString() : null;
            entity[name] = ReadValue(property.Value, type, name);
        }

        entity.PartitionKey = partitionKey;
        entity.RowKey = rowKey;
        if (etagHeader is not null) entity.ETag = new ETag(etagHeader);
        return entity;
    }

    private static object? ReadValue(JsonElement value, string? edmType, string name)
    {
        if (value.ValueKind == JsonValueKind.Null) return null;
        switch (edmType)
        {
            case "Edm.String":
                return value.GetString();
            case "Edm.Int64":
                return value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt64();
            case "Edm.Int32":
                return value.GetInt32();
            case "Edm.Double":
                return value.ValueKind == JsonValueKind.String
                    ? value.GetString() switch
                    {
                        "NaN" => double.NaN,
                        "Infinity" => double.PositiveInfinity,
                        "-Infinity" => double.NegativeInfinity,
                        var s => double.Parse(s!, CultureInfo.InvariantCulture),
                    }
                    : value.GetDouble();
            case "Edm.Boolean":
                return value.GetBoolean();
            case "Edm.DateTime":
                return ParseDateTime(value.GetString()!);
            case "Edm.Guid":
                return Guid.Parse(value.GetString()!);
            case "Edm.Binary":
                return value.GetBytesFromBase64();
            case null:
                break;
            default:
                throw new FormatException($"The property '{name}' has the EDM type '{edmType}', which this client does not read.");
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => IsIntegral(value) && value.TryGetInt32(out var i) ? (object)i : value.GetDouble(),
            _ => throw new FormatException($"The property '{name}' has a JSON {value.ValueKind}, which is not a table property value."),
        };
    }

    private static bool IsIntegral(JsonElement number) => number.GetRawText().AsSpan().IndexOfAny(".eE") < 0;

    private static DateTimeOffset ParseDateTime(string value)
        => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
