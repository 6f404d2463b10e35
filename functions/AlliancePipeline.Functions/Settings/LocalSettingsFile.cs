using System.Text.Json;

namespace AlliancePipeline.Functions.Settings;

/// <summary>
/// Reads a Functions <c>local.settings.json</c> (<c>{"IsEncrypted": false, "Values": {…}}</c>) into configuration
/// keys, <c>__</c> becoming <c>:</c> as for environment variables. Used only when the local driver is on.
/// </summary>
public static class LocalSettingsFile
{
    /// <summary>The file names looked for, first found wins.</summary>
    public static readonly string[] FileNames = ["local.settings.json", "local.settings.sample.json"];

    /// <summary>Finds the first settings file in <paramref name="directory"/> or its parents, or null.</summary>
    public static string? Find(string directory)
    {
        for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            foreach (var name in FileNames)
            {
                var path = Path.Combine(dir.FullName, name);
                if (File.Exists(path)) return path;
            }
        }
        return null;
    }

    /// <summary>The file's Values as configuration keys.</summary>
    public static IReadOnlyDictionary<string, string?> Read(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        if (doc.RootElement.TryGetProperty("IsEncrypted", out var enc) && enc.ValueKind == JsonValueKind.True)
            throw new InvalidSettingsException([$"{path} is encrypted; decrypt it (func settings decrypt) or use plain values."]);
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (doc.RootElement.TryGetProperty("Values", out var v) && v.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in v.EnumerateObject())
                values[p.Name.Replace("__", ":", StringComparison.Ordinal)] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText();
        }
        return values;
    }
}
