using System.Text.RegularExpressions;

namespace AlliancePipeline.Storage.Tables;

/// <summary>
/// What the Table service refuses, checked before sending so the error names the entity and the rule
/// ("Understanding the Table service data model", learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model).
/// </summary>
public static partial class TableValidation
{
    /// <summary>Most properties an entity may carry besides PartitionKey, RowKey and Timestamp.</summary>
    public const int MaxCustomProperties = 252;

    /// <summary>Largest entity: 1 MiB, by the documented size formula.</summary>
    public const int MaxEntityBytes = 1024 * 1024;

    /// <summary>Longest key the service accepts: 1 KiB of UTF-16, i.e. 512 UTF-16 code units (Azurite enforces the same).</summary>
    public const int MaxKeyLength = 512;

    /// <summary>Largest string or binary property value: 64 KiB (a string holds at most 32K UTF-16 characters).</summary>
    public const int MaxValueBytes = 64 * 1024;

    /// <summary>Throws <see cref="ArgumentException"/> if the table name breaks the rules (3–63 letters and digits, starting with a letter, not "tables").</summary>
    public static string ValidateTableName(string tableName)
    {
        ArgumentNullException.ThrowIfNull(tableName);
        if (!TableName().IsMatch(tableName) || tableName.Equals("tables", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{tableName}' is not a valid table name: use 3–63 letters and digits, starting with a letter (and not 'tables').", nameof(tableName));
        }

        return tableName;
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> if a key holds a character the service forbids (<c>/ \ # ?</c> or a
    /// control character U+0000–U+001F, U+007F–U+009F) or is longer than 1 KiB (512 UTF-16 code units).
    /// </summary>
    public static string ValidateKey(string key, string keyName)
    {
        if (key is null) throw new ArgumentNullException(keyName, $"The {keyName} is null.");
        if (key.Length > MaxKeyLength)
        {
            throw new ArgumentException($"The {keyName} is {key.Length} characters long; the Table service takes at most {MaxKeyLength} (1 KiB of UTF-16).", keyName);
        }

        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (c is '/' or '\\' or '#' or '?' || c <= '\u001F' || c is >= '\u007F' and <= '\u009F')
            {
                var shown = char.IsControl(c) ? $"U+{(int)c:X4}" : $"'{c}'";
                throw new ArgumentException($"The {keyName} '{Printable(key)}' contains the character {shown} at position {i}, which the Table service forbids in keys (/ \\ # ? and control characters).", keyName);
            }
        }

        return key;
    }

    /// <summary>
    /// Checks an entity against the service's limits: valid keys, at most 252 custom properties, property names of at
    /// most 255 characters, string/binary values up to 64 KiB, and a total size under 1 MiB computed by the documented
    /// formula 4 + 2·len(PK+RK) + Σ(8 + 2·len(name) + size(value)).
    /// </summary>
    public static void ValidateEntity(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ValidateKey(entity.PartitionKey, "PartitionKey");
        ValidateKey(entity.RowKey, "RowKey");
        var where = $"entity (PartitionKey '{Printable(entity.PartitionKey)}', RowKey '{Printable(entity.RowKey)}')";
        if (entity.PropertyNames.Count > MaxCustomProperties)
        {
            throw new ArgumentException($"The {where} has {entity.PropertyNames.Count} properties; the Table service takes at most {MaxCustomProperties} besides PartitionKey, RowKey and Timestamp.", nameof(entity));
        }

        long size = 4 + 2L * (entity.PartitionKey.Length + entity.RowKey.Length);
        foreach (var (name, value) in entity)
        {
            if (name.Length is 0 or > 255 || name is "PartitionKey" or "RowKey" or "Timestamp" || name.Contains('@', StringComparison.Ordinal) || name.StartsWith("odata.", StringComparison.Ordinal))
            {
                throw new ArgumentException($"The {where} has a property named '{name}', which the Table service does not accept as a custom property name.", nameof(entity));
            }

            var valueSize = value switch
            {
                string s => s.Length > MaxValueBytes / 2
                    ? throw new ArgumentException($"The {where}'s string property '{name}' has {s.Length} characters; the Table service takes at most {MaxValueBytes / 2}.", nameof(entity))
                    : 4 + 2L * s.Length,
                byte[] or BinaryData => TableEntityJson.Bytes(value!).Length is var n && n > MaxValueBytes
                    ? throw new ArgumentException($"The {where}'s binary property '{name}' has {n} bytes; the Table service takes at most {MaxValueBytes}.", nameof(entity))
                    : 4 + n,
                int => 4,
                long or double or DateTime or DateTimeOffset => 8,
                bool => 1,
                Guid => 16,
                _ => throw new ArgumentException($"The {where}'s property '{name}' is a {value?.GetType().Name}, which has no EDM type: use string, int, long, double, bool, DateTimeOffset, DateTime, Guid or byte[].", nameof(entity)),
            };
            size += 8 + 2L * name.Length + valueSize;
        }

        if (size > MaxEntityBytes)
        {
            throw new ArgumentException($"The {where} is {size:N0} bytes by the Table service's size formula; the service takes at most {MaxEntityBytes:N0} (1 MiB).", nameof(entity));
        }
    }

    /// <summary>A key for messages: clipped to 64 characters, control characters shown as ·.</summary>
    internal static string Printable(string key)
    {
        var clipped = key.Length > 64 ? key[..64] + "…" : key;
        return new string(clipped.Select(c => char.IsControl(c) ? '·' : c).ToArray());
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableName();
}
