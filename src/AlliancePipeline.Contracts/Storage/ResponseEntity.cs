using System.Collections;
using System.Diagnostics.CodeAnalysis;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Studies;
using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Contracts.Storage;

/// <summary>
/// A row of <c>Responses</c> (design, "Names that other tools read"), shaped by the instrument answered: PartitionKey the
/// study id, RowKey the assessment id, <c>Item01</c>..<c>ItemNN</c> (Int32, as answered, before reverse scoring) for the
/// instrument's N items, one Double column per score named by the instrument (its subscales', then its global score's;
/// the WAI's are <c>Goal</c>, <c>Task</c>, <c>Bond</c>, <c>Global</c>), <c>Meeting</c> (Int32), <c>RaterRole</c>,
/// <c>SiteId</c>, <c>DyadId</c>, <c>SubmittedAt</c> (DateTime), <c>Provenance</c> (<c>rater-link</c> or <c>hand-over</c>). A WAI
/// response therefore has the design's columns and its provenance.
/// </summary>
/// <remarks>
/// The columns depend on the instrument, so the row is a dynamic entity: the SDK reads and writes it as a property
/// dictionary (it implements <see cref="IDictionary{TKey,TValue}"/> over a <see cref="TableEntity"/>), and the typed members
/// here read and write those properties. <see cref="Items"/> are the consecutive <c>ItemNN</c> columns from
/// <c>Item01</c>; <see cref="Scores"/> are the numeric columns that are neither items nor fixed
/// (<see cref="ResponseColumns"/>: the instrument loader keeps a score column off those names).
/// </remarks>
public sealed class ResponseEntity : ITableEntity, IDictionary<string, object>
{
    private readonly TableEntity _row = new();
    private IDictionary<string, object> Row => _row;

    /// <inheritdoc />
    public string PartitionKey { get => _row.PartitionKey; set => _row.PartitionKey = value; }
    /// <inheritdoc />
    public string RowKey { get => _row.RowKey; set => _row.RowKey = value; }
    /// <inheritdoc />
    public DateTimeOffset? Timestamp { get => _row.Timestamp; set => _row.Timestamp = value; }
    /// <inheritdoc />
    public ETag ETag { get => _row.ETag; set => _row.ETag = value; }

    /// <summary>The answers in item-number order, as answered (columns <c>Item01</c>..<c>ItemNN</c>); setting replaces them all.</summary>
    public IReadOnlyList<int> Items
    {
        get
        {
            var items = new List<int>();
            while (items.Count < ResponseColumns.MaxItems && Row.TryGetValue(ResponseColumns.Item(items.Count + 1), out var value) && value is not null)
                items.Add(Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture));
            return items;
        }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Count is 0 or > ResponseColumns.MaxItems)
                throw new ArgumentException($"A response has 1 to {ResponseColumns.MaxItems} answers, not {value.Count}.", nameof(value));
            foreach (var key in Row.Keys.Where(k => ResponseColumns.IsItem(k, out _)).ToArray()) Row.Remove(key);
            for (var i = 0; i < value.Count; i++) Row[ResponseColumns.Item(i + 1)] = value[i];
        }
    }

    /// <summary>
    /// The scores by column (the instrument's subscale columns and its global column); setting replaces them all. Read back
    /// from storage they come in no particular order: the instrument gives the order.
    /// </summary>
    public IReadOnlyDictionary<string, double> Scores
    {
        get => ScoreProperties().ToDictionary(p => p.Key, p => Convert.ToDouble(p.Value, System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            foreach (var (key, _) in ScoreProperties().ToArray()) Row.Remove(key);
            foreach (var (column, score) in value) Row[ScoreColumn(column)] = score;
        }
    }

    /// <summary>The score in <paramref name="column"/> (e.g. <c>Global</c>), or null when the row has none.</summary>
    public double? Score(string column) => Scores.TryGetValue(column, out var score) ? score : null;

    /// <summary>The meeting, 1-based.</summary>
    public int Meeting { get => _row.GetInt32(nameof(Meeting)) ?? 0; set => _row[nameof(Meeting)] = value; }
    /// <summary>Who rated.</summary>
    public string RaterRole { get => _row.GetString(nameof(RaterRole)) ?? ""; set => _row[nameof(RaterRole)] = value; }
    /// <summary>The dyad's site.</summary>
    public string SiteId { get => _row.GetString(nameof(SiteId)) ?? ""; set => _row[nameof(SiteId)] = value; }
    /// <summary>The dyad's pseudonymous code.</summary>
    public string DyadId { get => _row.GetString(nameof(DyadId)) ?? ""; set => _row[nameof(DyadId)] = value; }
    /// <summary>
    /// How the answers came (<see cref="ResponseProvenance"/>): <c>rater-link</c>, or <c>hand-over</c> through a link a
    /// coordinator was handed. A row stored before the column existed reads as <c>rater-link</c>.
    /// </summary>
    public string Provenance
    {
        get => _row.GetString(nameof(Provenance)) is { Length: > 0 } p ? p : ResponseProvenance.RaterLink;
        set => _row[nameof(Provenance)] = value;
    }
    /// <summary>When the answers were taken (UTC).</summary>
    public DateTime SubmittedAt
    {
        get => _row.GetDateTimeOffset(nameof(SubmittedAt))?.UtcDateTime ?? default;
        set => _row[nameof(SubmittedAt)] = new DateTimeOffset(value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(value, DateTimeKind.Utc) : value.ToUniversalTime());
    }

    private IEnumerable<KeyValuePair<string, object>> ScoreProperties() => Row.Where(p => IsScoreColumn(p.Key) && p.Value is int or long or double);

    private static bool IsScoreColumn(string key) =>
        !ResponseColumns.IsItem(key, out _) && !ResponseColumns.Fixed.Contains(key) && !key.StartsWith("odata.", StringComparison.Ordinal);

    private static string ScoreColumn(string column) =>
        IsScoreColumn(column) && !ResponseColumns.IsReserved(column)
            ? column
            : throw new ArgumentException($"'{column}' is the name of another column of a stored response, not a score column.", nameof(column));

    // The property dictionary the SDK reads and writes.
    object IDictionary<string, object>.this[string key] { get => Row[key]; set => Row[key] = value; }
    ICollection<string> IDictionary<string, object>.Keys => Row.Keys;
    ICollection<object> IDictionary<string, object>.Values => Row.Values;
    int ICollection<KeyValuePair<string, object>>.Count => Row.Count;
    bool ICollection<KeyValuePair<string, object>>.IsReadOnly => Row.IsReadOnly;
    void IDictionary<string, object>.Add(string key, object value) => Row.Add(key, value);
    void ICollection<KeyValuePair<string, object>>.Add(KeyValuePair<string, object> item) => Row.Add(item);
    void ICollection<KeyValuePair<string, object>>.Clear() => Row.Clear();
    bool ICollection<KeyValuePair<string, object>>.Contains(KeyValuePair<string, object> item) => Row.Contains(item);
    bool IDictionary<string, object>.ContainsKey(string key) => Row.ContainsKey(key);
    void ICollection<KeyValuePair<string, object>>.CopyTo(KeyValuePair<string, object>[] array, int arrayIndex) => Row.CopyTo(array, arrayIndex);
    IEnumerator<KeyValuePair<string, object>> IEnumerable<KeyValuePair<string, object>>.GetEnumerator() => Row.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => Row.GetEnumerator();
    bool IDictionary<string, object>.Remove(string key) => Row.Remove(key);
    bool ICollection<KeyValuePair<string, object>>.Remove(KeyValuePair<string, object> item) => Row.Remove(item);
    bool IDictionary<string, object>.TryGetValue(string key, [MaybeNullWhen(false)] out object value) => Row.TryGetValue(key, out value);
}
