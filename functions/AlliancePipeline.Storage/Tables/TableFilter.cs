using System.Globalization;

namespace AlliancePipeline.Storage.Tables;

/// <summary>
/// Builds OData <c>$filter</c> expressions with literals escaped as the Table service expects: strings quoted with
/// doubled single quotes, <c>datetime'…'</c>, <c>guid'…'</c>, <c>X'…'</c>, <c>…L</c> for Int64.
/// </summary>
public static class TableFilter
{
    /// <summary>
    /// Formats an interpolated filter, escaping each interpolated value as an OData literal of its type, e.g.
    /// <c>TableFilter.Create($"PartitionKey eq {studyId} and Meeting ge {2}")</c>.
    /// </summary>
    public static string Create(FormattableString filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var literals = filter.GetArguments().Select(Literal).ToArray<object?>();
        return string.Format(CultureInfo.InvariantCulture, filter.Format, literals);
    }

    /// <summary>One value as an OData v3 literal (Table service "Querying tables and entities").</summary>
    public static string Literal(object? value) => value switch
    {
        null => "null",
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        double d when double.IsFinite(d) => DoubleLiteral(d),
        double d => throw new ArgumentException($"The Table service cannot compare with the double {d}.", nameof(value)),
        DateTimeOffset dto => "datetime'" + TableEntityJson.FormatDateTime(dto) + "'",
        DateTime dt => "datetime'" + TableEntityJson.FormatDateTime(TableEntityJson.ToOffset(dt)) + "'",
        Guid g => "guid'" + g.ToString("D") + "'",
        byte[] or BinaryData => "X'" + Convert.ToHexStringLower(TableEntityJson.Bytes(value)) + "'",
        _ => throw new ArgumentException($"A {value.GetType().Name} has no OData literal in a table filter: use string, bool, int, long, double, DateTimeOffset, DateTime, Guid or byte[].", nameof(value)),
    };

    private static string DoubleLiteral(double d)
    {
        var text = d.ToString("R", CultureInfo.InvariantCulture);
        // An integral double written as "2" would be an Int32 literal and never equal an Edm.Double property.
        return text.AsSpan().IndexOfAny(".eE") < 0 ? text + ".0" : text;
    }
}
