using System.Globalization;
using System.Text;
using AlliancePipeline.LocalHost.Rpc;

namespace AlliancePipeline.LocalHost.Invocation;

/// <summary>
/// The <c>{…}</c> binding expressions of output binding paths and names, as the WebJobs SDK resolves them:
/// <c>{rand-guid}</c> and <c>{sys.randguid}</c> (a new GUID), <c>{DateTime}</c> and <c>{sys.utcnow}</c> (now, UTC,
/// <c>yyyy-MM-ddTHH-mm-ssZ</c>), each with an optional <c>:format</c>, and the trigger's metadata by name
/// (<c>{queueTrigger}</c>, <c>{id}</c>, route parameters…).
/// </summary>
internal static class BindingExpressions
{
    /// <summary>The default format of <c>{DateTime}</c>.</summary>
    public const string DateTimeFormat = "yyyy-MM-ddTHH-mm-ssZ";

    /// <summary>Resolves the expressions of <paramref name="template"/>.</summary>
    public static string Resolve(string template, IReadOnlyDictionary<string, TypedData> triggerMetadata, DateTimeOffset now, string context)
    {
        if (!template.Contains('{', StringComparison.Ordinal)) return template;
        var result = new StringBuilder();
        var i = 0;
        while (i < template.Length)
        {
            var start = template.IndexOf('{', i);
            if (start < 0)
            {
                result.Append(template, i, template.Length - i);
                break;
            }

            var end = template.IndexOf('}', start + 1);
            if (end < 0) throw new InvalidOperationException($"{context}: '{template}' has an unmatched '{{'.");
            result.Append(template, i, start - i);
            var expression = template[(start + 1)..end];
            var colon = expression.IndexOf(':', StringComparison.Ordinal);
            var name = colon < 0 ? expression : expression[..colon];
            var format = colon < 0 ? null : expression[(colon + 1)..];
            result.Append(Value(name, format, triggerMetadata, now) ?? throw new InvalidOperationException($"{context}: no value for named parameter '{name}'."));
            i = end + 1;
        }

        return result.ToString();
    }

    private static string? Value(string name, string? format, IReadOnlyDictionary<string, TypedData> metadata, DateTimeOffset now)
    {
        if (name.Equals("rand-guid", StringComparison.OrdinalIgnoreCase) || name.Equals("sys.randguid", StringComparison.OrdinalIgnoreCase))
        {
            return Guid.NewGuid().ToString(format ?? "D", CultureInfo.InvariantCulture);
        }

        if (name.Equals("DateTime", StringComparison.OrdinalIgnoreCase) || name.Equals("sys.utcnow", StringComparison.OrdinalIgnoreCase))
        {
            return now.UtcDateTime.ToString(format ?? DateTimeFormat, CultureInfo.InvariantCulture);
        }

        var match = metadata.FirstOrDefault(m => m.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
        return match.Value?.DataCase switch
        {
            TypedData.DataOneofCase.String => match.Value.String,
            TypedData.DataOneofCase.Json => System.Text.Json.JsonDocument.Parse(match.Value.Json).RootElement is var e && e.ValueKind == System.Text.Json.JsonValueKind.String ? e.GetString() : match.Value.Json,
            TypedData.DataOneofCase.Int => match.Value.Int.ToString(CultureInfo.InvariantCulture),
            TypedData.DataOneofCase.Double => match.Value.Double.ToString(CultureInfo.InvariantCulture),
            _ => null,
        };
    }
}
