using System.Text.Json;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>
/// A request body read as JSON, checked whole: <see cref="JsonDocument.Parse(string, JsonDocumentOptions)"/> takes a string
/// escape such as <c>"\ud800"</c> (a lone surrogate) and only <see cref="JsonElement.GetString"/> or a property name
/// lookup throws later (<see cref="InvalidOperationException"/>), wherever the handler happens to read it. Here every string and
/// property name is decoded once, so a document returned can be read anywhere without that.
/// </summary>
public static class JsonBody
{
    /// <summary>The document, or null when <paramref name="text"/> is not JSON or holds a string that is not valid Unicode.</summary>
    public static JsonDocument? Parse(string? text)
    {
        if (text is null) return null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
        if (WellFormed(document.RootElement)) return document;
        document.Dispose();
        return null;
    }

    private static bool WellFormed(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        if (!WellFormed(property.Value)) return false;
                    }
                    return true;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        if (!WellFormed(item)) return false;
                    }
                    return true;
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
