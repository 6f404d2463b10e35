namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>
/// What a request to this HTTP function may carry: the largest body, and the media types of the bodies it reads
/// (<c>+json</c>: any structured JSON type). Enforced by <see cref="RequestLimitsMiddleware"/> before anything else runs.
/// A function without it takes no body: at most <see cref="RequestLimits.DefaultMaxBodyBytes"/>, of any type, ignored.
/// </summary>
/// <param name="maxBodyBytes">The largest body taken, in bytes.</param>
/// <param name="mediaTypes">The media types read; none: the function reads no body.</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequestLimitsAttribute(int maxBodyBytes, params string[] mediaTypes) : Attribute
{
    /// <summary>The largest body taken, in bytes.</summary>
    public int MaxBodyBytes { get; } = maxBodyBytes;

    /// <summary>The media types read; null when the function reads no body.</summary>
    public IReadOnlyList<string>? MediaTypes { get; } = mediaTypes.Length == 0 ? null : mediaTypes;
}

/// <summary>The media types functions declare in <see cref="RequestLimitsAttribute"/>.</summary>
public static class BodyTypes
{
    /// <summary>A browser's form post.</summary>
    public const string Form = "application/x-www-form-urlencoded";

    /// <summary>A browser's form post with a file (the console's CSV upload).</summary>
    public const string Multipart = "multipart/form-data";

    /// <summary>JSON.</summary>
    public const string Json = "application/json";

    /// <summary>Any structured JSON type (<c>application/*+json</c>).</summary>
    public const string AnyJson = "+json";

    /// <summary>CSV.</summary>
    public const string Csv = "text/csv";

    /// <summary>Plain text.</summary>
    public const string Text = "text/plain";

    /// <summary>YAML, as the registered type and as tools still send it.</summary>
    public const string Yaml = "application/yaml", TextYaml = "text/yaml", XYaml = "text/x-yaml", ApplicationXYaml = "application/x-yaml";
}
