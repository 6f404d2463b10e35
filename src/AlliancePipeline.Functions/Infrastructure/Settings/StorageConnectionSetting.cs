using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace AlliancePipeline.Functions.Infrastructure.Settings;

/// <summary>
/// The storage account the app uses, as the <c>AzureWebJobsStorage</c> setting describes it: either a connection string
/// (<see cref="ConnectionString"/>; <c>UseDevelopmentStorage=true</c> for Azurite) or an identity-based connection (the
/// three service URIs and a <see cref="Credential"/>).
/// </summary>
/// <param name="ConnectionString">The connection string, or null for an identity-based connection.</param>
/// <param name="TableServiceUri">The table endpoint of an identity-based connection.</param>
/// <param name="QueueServiceUri">The queue endpoint of an identity-based connection.</param>
/// <param name="BlobServiceUri">The blob endpoint of an identity-based connection.</param>
/// <param name="Credential">The token credential of an identity-based connection.</param>
public sealed record StorageConnection(string? ConnectionString, Uri? TableServiceUri, Uri? QueueServiceUri, Uri? BlobServiceUri, TokenCredential? Credential)
{
    /// <summary>Whether this is an identity-based connection (no account key).</summary>
    public bool IsIdentityBased => ConnectionString is null;

    /// <inheritdoc />
    public override string ToString() => IsIdentityBased
        ? $"identity-based connection to {TableServiceUri}, {QueueServiceUri}, {BlobServiceUri}"
        : "connection string (not shown)";
}

/// <summary>
/// Reads <c>AzureWebJobsStorage</c> the way the Functions host does: a connection string, or an identity-based connection
/// (<c>AzureWebJobsStorage__accountName</c>, or <c>__tableServiceUri</c>, <c>__queueServiceUri</c> and
/// <c>__blobServiceUri</c>; <c>__credential</c> = <c>managedidentity</c> with an optional <c>__clientId</c> for a
/// user-assigned identity; without <c>__credential</c>, <see cref="DefaultAzureCredential"/>). A connection string is
/// checked by the Azure SDK's own parser (each client is constructed once here), so a wrong one is named at start.
/// </summary>
public static class StorageConnectionSetting
{
    /// <summary>The setting's name, as the Functions host names it.</summary>
    public const string Name = "AzureWebJobsStorage";

    /// <summary>The connection the setting describes, or null with the problem added to <paramref name="errors"/>.</summary>
    public static StorageConnection? Read(IConfiguration configuration, ICollection<string> errors)
    {
        var connectionString = configuration[Name];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            try
            {
                _ = new TableServiceClient(connectionString);
                _ = new QueueServiceClient(connectionString);
                _ = new BlobServiceClient(connectionString);
                return new StorageConnection(connectionString, null, null, null, null);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
            {
                errors.Add($"{Name} is not a usable storage connection string: {e.Message}");
                return null;
            }
        }

        var section = configuration.GetSection(Name);
        var accountName = section["accountName"];
        var table = ReadUri(section, "tableServiceUri", accountName, "table", errors);
        var queue = ReadUri(section, "queueServiceUri", accountName, "queue", errors);
        var blob = ReadUri(section, "blobServiceUri", accountName, "blob", errors);
        if (table is null || queue is null || blob is null)
        {
            if (string.IsNullOrWhiteSpace(accountName) && section["tableServiceUri"] is null && section["queueServiceUri"] is null && section["blobServiceUri"] is null)
            {
                errors.Add($"{Name} is missing: a storage connection string (UseDevelopmentStorage=true for Azurite), " +
                    $"or an identity-based connection ({Name}__accountName, or {Name}__tableServiceUri, __queueServiceUri and __blobServiceUri).");
            }
            else if (errors.Count == 0)
            {
                errors.Add($"{Name}: an identity-based connection needs {Name}__accountName, or all three of __tableServiceUri, __queueServiceUri and __blobServiceUri.");
            }
            return null;
        }

        var credentialKind = section["credential"];
        if (!string.IsNullOrWhiteSpace(credentialKind) && !string.Equals(credentialKind, "managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{Name}__credential is '{credentialKind}': the only value understood is 'managedidentity'.");
            return null;
        }
        var clientId = section["clientId"];
        TokenCredential credential = string.IsNullOrWhiteSpace(credentialKind)
            ? new DefaultAzureCredential()
            : string.IsNullOrWhiteSpace(clientId)
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        return new StorageConnection(null, table, queue, blob, credential);
    }

    private static Uri? ReadUri(IConfiguration section, string key, string? accountName, string service, ICollection<string> errors)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
            return string.IsNullOrWhiteSpace(accountName) ? null : new Uri($"https://{accountName}.{service}.core.windows.net/");
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
            return uri;
        errors.Add($"{Name}__{key} is '{text}': expected an absolute http(s) URI such as https://account.{service}.core.windows.net/.");
        return null;
    }
}
