using Azure.Core;
using Azure.Identity;
using AlliancePipeline.Storage.Common;

namespace AlliancePipeline.Functions.Settings;

/// <summary>
/// Reads the storage account from the <c>AzureWebJobsStorage</c> setting the way the Functions host does: either a
/// connection string (Shared Key; <c>UseDevelopmentStorage=true</c> for Azurite) or an identity-based connection
/// (<c>AzureWebJobsStorage__accountName</c>, or <c>__blobServiceUri</c>, <c>__queueServiceUri</c> and
/// <c>__tableServiceUri</c>; <c>__credential</c> = <c>managedidentity</c> with an optional <c>__clientId</c> for a
/// user-assigned identity). An identity-based connection signs requests with an Azure.Identity token credential.
/// </summary>
public static class StorageConnectionSetting
{
    /// <summary>The setting's name, as the Functions host names it.</summary>
    public const string Name = "AzureWebJobsStorage";

    /// <summary>The account the setting describes, or null with the problem added to <paramref name="errors"/>.</summary>
    public static StorageAccount? Read(IConfiguration configuration, ICollection<string> errors)
    {
        var connectionString = configuration[Name];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            try
            {
                return StorageAccount.Parse(connectionString);
            }
            catch (FormatException e)
            {
                errors.Add($"{Name} is not a usable connection string: {e.Message}");
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
        return StorageAccount.FromEndpoints(table, queue, blob, credential);
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
