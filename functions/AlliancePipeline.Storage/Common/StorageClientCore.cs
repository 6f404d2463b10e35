using System.Globalization;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AlliancePipeline.Storage.Common;

/// <summary>Sending helpers shared by the Table, Queue and Blob clients.</summary>
internal static partial class StorageClientCore
{
    /// <summary>Sends the message; an error status throws a <see cref="RequestFailedException"/> naming <paramref name="operation"/>.</summary>
    public static async Task<Response> SendCheckedAsync(this HttpPipeline pipeline, HttpMessage message, string operation, CancellationToken cancellationToken)
    {
        await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.IsError) throw StorageErrors.Create(operation, response);
        return response;
    }

    /// <summary>
    /// Sends the message; an error status throws unless <paramref name="tolerated"/> accepts it (e.g. a 404 for
    /// "delete if exists", a 409 "already exists" for "create if not exists").
    /// </summary>
    public static async Task<Response> SendToleratingAsync(this HttpPipeline pipeline, HttpMessage message, string operation, Func<Response, string?, bool> tolerated, CancellationToken cancellationToken)
    {
        await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.IsError && !tolerated(response, StorageErrors.Parse(response).Code)) throw StorageErrors.Create(operation, response);
        return response;
    }

    /// <summary>Tolerates a 404 (the resource is already gone).</summary>
    public static bool NotFound(Response response, string? code) => response.Status == 404;

    /// <summary>A request to <paramref name="endpoint"/> followed by the (escaped) path segments.</summary>
    public static HttpMessage CreateMessage(this HttpPipeline pipeline, RequestMethod method, Uri endpoint, params string[] segments)
    {
        var message = pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(StoragePipeline.Base(endpoint));
        foreach (var segment in segments)
        {
            message.Request.Uri.AppendPath("/", escape: false);
            message.Request.Uri.AppendPath(segment, escape: true);
        }

        return message;
    }

    /// <summary>An HTTP date (RFC 1123) or ISO 8601 timestamp as a <see cref="DateTimeOffset"/>.</summary>
    public static DateTimeOffset ParseDate(string? value)
        => string.IsNullOrEmpty(value) ? default : DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>
    /// Validates a queue or container name: 3–63 characters, lowercase letters, digits and single hyphens, starting and
    /// ending with a letter or digit (Naming Queues and Metadata; Naming and Referencing Containers).
    /// </summary>
    public static string ValidateLowercaseName(string name, string kind)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!LowercaseName().IsMatch(name) || name.Contains("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is not a valid {kind} name: use 3–63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.", nameof(name));
        }

        return name;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex LowercaseName();
}
