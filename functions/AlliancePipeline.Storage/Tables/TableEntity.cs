using System.Collections;
using Azure;

namespace AlliancePipeline.Storage.Tables;

/// <summary>
/// A table entity: its keys, timestamp and ETag, and its properties by name. Property values keep their EDM type by
/// their CLR type: <see cref="string"/> (Edm.String), <see cref="int"/> (Edm.Int32), <see cref="long"/> (Edm.Int64),
/// <see cref="double"/> (Edm.Double), <see cref="bool"/> (Edm.Boolean), <see cref="DateTimeOffset"/> or a UTC
/// <see cref="DateTime"/> (Edm.DateTime, read back as <see cref="DateTimeOffset"/>), <see cref="Guid"/> (Edm.Guid),
/// <see cref="byte"/>[] or <see cref="BinaryData"/> (Edm.Binary, read back as byte[]).
/// </summary>
public sealed class TableEntity : IEnumerable<KeyValuePair<string, object?>>
{
    private readonly Dictionary<string, object?> _properties = new(StringComparer.Ordinal);

    /// <summary>An empty entity with the given keys.</summary>
    public TableEntity(string partitionKey, string rowKey)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
    }

    /// <summary>The partition key.</summary>
    public string PartitionKey { get; set; }

    /// <summary>The row key.</summary>
    public string RowKey { get; set; }

    /// <summary>The service's timestamp of the last write (read only on the service side).</summary>
    public DateTimeOffset? Timestamp { get; set; }

    /// <summary>The ETag the entity was read with, for optimistic concurrency.</summary>
    public ETag ETag { get; set; }

    /// <summary>A property's value, or null when absent; setting null removes it.</summary>
    public object? this[string name]
    {
        get => _properties.GetValueOrDefault(name);
        set
        {
            if (value is null) _properties.Remove(name);
            else _properties[name] = value;
        }
    }

    /// <summary>The names of the properties (not the keys, timestamp or ETag).</summary>
    public IReadOnlyCollection<string> PropertyNames => _properties.Keys;

    /// <summary>Whether the property is present.</summary>
    public bool ContainsKey(string name) => _properties.ContainsKey(name);

    /// <summary>Collection-initializer support.</summary>
    public void Add(string name, object? value) => this[name] = value;

    /// <summary>The property as a string, or null.</summary>
    public string? GetString(string name) => this[name] as string;

    /// <summary>The property as Int32, or null (an Int64 in range is accepted).</summary>
    public int? GetInt32(string name) => this[name] switch { int i => i, long l when l is >= int.MinValue and <= int.MaxValue => (int)l, _ => null };

    /// <summary>The property as Int64, or null.</summary>
    public long? GetInt64(string name) => this[name] switch { long l => l, int i => i, _ => null };

    /// <summary>The property as Double, or null (an integer value is widened).</summary>
    public double? GetDouble(string name) => this[name] switch { double d => d, int i => i, long l => l, _ => null };

    /// <summary>The property as Boolean, or null.</summary>
    public bool? GetBoolean(string name) => this[name] as bool?;

    /// <summary>The property as a date-time, or null.</summary>
    public DateTimeOffset? GetDateTimeOffset(string name) => this[name] switch
    {
        DateTimeOffset d => d,
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        _ => null,
    };

    /// <summary>The property as a Guid, or null.</summary>
    public Guid? GetGuid(string name) => this[name] as Guid?;

    /// <summary>The property as bytes, or null.</summary>
    public byte[]? GetBinary(string name) => this[name] switch { byte[] b => b, BinaryData b => b.ToArray(), _ => null };

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _properties.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>The kind of one operation in an entity group transaction.</summary>
public enum TableTransactionActionType
{
    /// <summary>Insert Entity.</summary>
    Add,
    /// <summary>Delete Entity (honours the entity's ETag, or unconditional when it has none).</summary>
    Delete,
    /// <summary>Merge Entity conditioned on the entity's ETag (or *).</summary>
    UpdateMerge,
    /// <summary>Update Entity conditioned on the entity's ETag (or *).</summary>
    UpdateReplace,
    /// <summary>Insert Or Merge.</summary>
    UpsertMerge,
    /// <summary>Insert Or Replace.</summary>
    UpsertReplace,
}

/// <summary>One operation of an entity group transaction.</summary>
public sealed record TableTransactionAction(TableTransactionActionType ActionType, TableEntity Entity);

/// <summary>An ETag precondition failed (HTTP 412): somebody else wrote the entity since it was read.</summary>
public sealed class TableConcurrencyException : RequestFailedException
{
    /// <summary>Creates the exception for a 412 answer.</summary>
    public TableConcurrencyException(string message, string? errorCode, Exception? innerException = null)
        : base(412, message, errorCode, innerException)
    {
    }
}

/// <summary>An entity group transaction was refused: <see cref="FailedActionIndex"/> names the operation the service rejected.</summary>
public sealed class TableTransactionFailedException : RequestFailedException
{
    /// <summary>Creates the exception.</summary>
    public TableTransactionFailedException(int status, string message, string? errorCode, int? failedActionIndex, Exception? innerException = null)
        : base(status, message, errorCode, innerException)
    {
        FailedActionIndex = failedActionIndex;
    }

    /// <summary>The zero-based index of the operation the service rejected, when it said.</summary>
    public int? FailedActionIndex { get; }
}
