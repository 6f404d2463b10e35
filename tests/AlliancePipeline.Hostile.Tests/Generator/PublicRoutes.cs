using System.Text.Json;
using System.Text.RegularExpressions;

namespace AlliancePipeline.Hostile.Tests.Generator;

/// <summary>One public HTTP route of the app: its function, route template (without the <c>api/</c> prefix) and methods.</summary>
public sealed partial record PublicRoute(string Function, string Template, IReadOnlyList<string> Methods)
{
    /// <summary>The route's parameters in order (<c>{studyId}</c> → <c>studyId</c>).</summary>
    public IReadOnlyList<string> Parameters => [.. Parameter().Matches(Template).Select(m => m.Groups[1].Value)];

    /// <summary>The path under <c>/api/</c> with each parameter replaced by <paramref name="values"/> (already encoded).</summary>
    public string Path(IReadOnlyDictionary<string, string> values) =>
        "/api/" + Parameter().Replace(Template, m => values.TryGetValue(m.Groups[1].Value, out var v) ? v : "x");

    /// <summary>
    /// Every HTTP-triggered function in the worker's generated <c>functions.metadata</c> (what the host loads), so a new
    /// route is attacked without anyone listing it.
    /// </summary>
    public static IReadOnlyList<PublicRoute> Load(string workerFolder)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(workerFolder, "functions.metadata")));
        var routes = new List<PublicRoute>();
        foreach (var function in doc.RootElement.EnumerateArray())
        {
            foreach (var binding in function.GetProperty("bindings").EnumerateArray())
            {
                if (!binding.GetProperty("type").GetString()!.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase)) continue;
                var name = function.GetProperty("name").GetString()!;
                var route = binding.TryGetProperty("route", out var r) && r.GetString() is { Length: > 0 } text ? text : name;
                var methods = binding.TryGetProperty("methods", out var m) && m.ValueKind == JsonValueKind.Array
                    ? m.EnumerateArray().Select(x => x.GetString()!.ToUpperInvariant()).ToArray()
                    : ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
                routes.Add(new PublicRoute(name, route, methods));
            }
        }
        return routes;
    }

    [GeneratedRegex(@"\{([A-Za-z0-9_]+)(?::[^}]*)?\??\}")]
    private static partial Regex Parameter();
}
