using System.Collections;
using System.Text.Json;

namespace AlliancePipeline.LocalHost.Configuration;

/// <summary>
/// The app settings as Core Tools gives them to the host and the worker: the <c>Values</c> of
/// <c>local.settings.json</c>, except where the environment already defines the name (the environment wins, as with
/// <c>func start</c>), and the caller's overrides above both.
/// </summary>
internal sealed class AppSettings
{
    private readonly Dictionary<string, string> _fileValues;
    private readonly Dictionary<string, string> _environment;
    private readonly Dictionary<string, string> _overrides;

    private AppSettings(Dictionary<string, string> fileValues, Dictionary<string, string> environment, Dictionary<string, string> overrides, string? settingsFile, int? localHttpPort)
    {
        _fileValues = fileValues;
        _environment = environment;
        _overrides = overrides;
        SettingsFile = settingsFile;
        LocalHttpPort = localHttpPort;
    }

    /// <summary>The settings file read, or null when there was none.</summary>
    public string? SettingsFile { get; }

    /// <summary><c>Host.LocalHttpPort</c> of the settings file, as Core Tools reads it.</summary>
    public int? LocalHttpPort { get; }

    /// <summary>Names in the settings file that the environment already defines (so the file's value is not used).</summary>
    public IEnumerable<string> ShadowedByEnvironment => _fileValues.Keys.Where(k => _environment.ContainsKey(k) && !_overrides.ContainsKey(k));

    /// <summary>Reads <paramref name="settingsFile"/> (missing is fine: no values) and takes a snapshot of the environment.</summary>
    public static AppSettings Load(string? settingsFile, IReadOnlyDictionary<string, string?>? overrides, IDictionary? environment = null)
    {
        var fileValues = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        int? port = null;
        string? read = null;
        if (settingsFile is not null && File.Exists(settingsFile))
        {
            read = settingsFile;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(File.ReadAllText(settingsFile), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            }
            catch (JsonException e)
            {
                throw new LocalHostConfigurationException($"{settingsFile} is not valid JSON: {e.Message}");
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.TryGetProperty("IsEncrypted", out var encrypted) && encrypted.ValueKind == JsonValueKind.True)
                {
                    throw new LocalHostConfigurationException($"{settingsFile} is encrypted (IsEncrypted: true); the local host reads plain settings only.");
                }

                if (root.TryGetProperty("Values", out var values) && values.ValueKind == JsonValueKind.Object)
                {
                    foreach (var value in values.EnumerateObject())
                    {
                        fileValues[value.Name] = value.Value.ValueKind == JsonValueKind.String ? value.Value.GetString()! : value.Value.GetRawText();
                    }
                }

                if (root.TryGetProperty("Host", out var host) && host.TryGetProperty("LocalHttpPort", out var p) && p.TryGetInt32(out var parsed))
                {
                    port = parsed;
                }
            }
        }

        var env = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in environment ?? Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && entry.Value is string value) env[key] = value;
        }

        var over = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            if (value is not null) over[key] = value;
        }

        return new AppSettings(fileValues, env, over, read, port);
    }

    /// <summary>A setting by name: overrides, then the environment, then the settings file.</summary>
    public string? this[string name] =>
        _overrides.TryGetValue(name, out var o) ? o
        : _environment.TryGetValue(name, out var e) ? e
        : _fileValues.TryGetValue(name, out var f) ? f
        : null;

    /// <summary>
    /// What the worker process gets on top of the environment it inherits: the file's values the environment does not
    /// define, and every override.
    /// </summary>
    public IReadOnlyDictionary<string, string> ForWorker()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in _fileValues)
        {
            if (!_environment.ContainsKey(key)) result[key] = value;
        }

        foreach (var (key, value) in _overrides) result[key] = value;
        return result;
    }

    /// <summary>Every setting whose name starts with <paramref name="prefix"/> (case-insensitive), with its value as this indexer gives it.</summary>
    public IEnumerable<KeyValuePair<string, string>> WithPrefix(string prefix) =>
        _fileValues.Keys.Concat(_environment.Keys).Concat(_overrides.Keys)
            .Where(k => k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(k => new KeyValuePair<string, string>(k, this[k]!));

    /// <summary>
    /// Replaces every <c>%Name%</c> in <paramref name="value"/> with the setting's value, as the host's name resolver
    /// does for binding properties (queue names, schedules, blob paths, connections); a missing setting is an error.
    /// </summary>
    public string Resolve(string value, string context)
    {
        if (!value.Contains('%', StringComparison.Ordinal)) return value;
        var result = new System.Text.StringBuilder();
        var i = 0;
        while (i < value.Length)
        {
            var start = value.IndexOf('%', i);
            if (start < 0)
            {
                result.Append(value, i, value.Length - i);
                break;
            }

            var end = value.IndexOf('%', start + 1);
            if (end < 0) throw new LocalHostConfigurationException($"{context}: '{value}' has an unmatched '%'.");
            result.Append(value, i, start - i);
            var name = value[(start + 1)..end];
            result.Append(this[name] ?? throw new LocalHostConfigurationException($"{context}: '%{name}%' does not resolve to a value: no app setting '{name}'."));
            i = end + 1;
        }

        return result.ToString();
    }
}
