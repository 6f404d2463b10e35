using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace AlliancePipeline.Functions.Infrastructure.Settings;

/// <summary>
/// The storage account the app uses, as the <c>AzureWebJobsStorage</c> setting describes it: either a connection string
/// (<see cref="ConnectionString"/>; <c>UseDevelopmentStorage=true</c> for Azurite) or an identity-based connection (the
/// three service URIs and a <see cref="Credential"/>). Registered once from <see cref="StorageConnectionOptions"/>; the
/// Azure SDK clients are made from it.
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

    /// <summary>The table service client of this account.</summary>
    public TableServiceClient TableClient(TableClientOptions options) =>
        ConnectionString is { } connectionString ? new TableServiceClient(connectionString, options) : new TableServiceClient(TableServiceUri, Credential, options);

    /// <summary>The queue service client of this account.</summary>
    public QueueServiceClient QueueClient(QueueClientOptions options) =>
        ConnectionString is { } connectionString ? new QueueServiceClient(connectionString, options) : new QueueServiceClient(QueueServiceUri, Credential, options);

    /// <summary>The blob service client of this account.</summary>
    public BlobServiceClient BlobClient(BlobClientOptions options) =>
        ConnectionString is { } connectionString ? new BlobServiceClient(connectionString, options) : new BlobServiceClient(BlobServiceUri, Credential, options);

    /// <inheritdoc />
    public override string ToString() => IsIdentityBased
        ? $"identity-based connection to {TableServiceUri}, {QueueServiceUri}, {BlobServiceUri}"
        : "connection string (not shown)";
}

/// <summary>
/// <c>AzureWebJobsStorage</c> the way the Functions host reads it: a connection string (the setting's own value, which
/// the registration puts in <see cref="ConnectionString"/>), or an identity-based connection
/// (<c>AzureWebJobsStorage__accountName</c>, or <c>__tableServiceUri</c>, <c>__queueServiceUri</c> and
/// <c>__blobServiceUri</c>; <c>__credential</c> = <c>managedidentity</c> with an optional <c>__clientId</c> for a
/// user-assigned identity; without <c>__credential</c>, <see cref="DefaultAzureCredential"/>). Checked at start by
/// <see cref="StorageConnectionOptionsValidator"/>; the services take the <see cref="StorageConnection"/> made from it.
/// </summary>
public sealed class StorageConnectionOptions
{
    /// <summary>The setting's name, as the Functions host names it; its sub-keys form the identity-based connection.</summary>
    public const string Section = "AzureWebJobsStorage";

    /// <summary>The setting's own value: a connection string, or unset for an identity-based connection.</summary>
    public string? ConnectionString { get; set; }

    /// <summary><c>__accountName</c>: the account whose default endpoints are used.</summary>
    public string? AccountName { get; set; }

    /// <summary><c>__tableServiceUri</c>: the table endpoint (wins over the account name's).</summary>
    public string? TableServiceUri { get; set; }

    /// <summary><c>__queueServiceUri</c>: the queue endpoint (wins over the account name's).</summary>
    public string? QueueServiceUri { get; set; }

    /// <summary><c>__blobServiceUri</c>: the blob endpoint (wins over the account name's).</summary>
    public string? BlobServiceUri { get; set; }

    /// <summary><c>__credential</c>: <c>managedidentity</c>, or unset for <see cref="DefaultAzureCredential"/>.</summary>
    public string? Credential { get; set; }

    /// <summary><c>__clientId</c>: the client id of a user-assigned managed identity.</summary>
    public string? ClientId { get; set; }

    /// <summary>Whether a connection string is given (then the identity-based sub-keys are not read).</summary>
    internal bool HasConnectionString => !string.IsNullOrWhiteSpace(ConnectionString);

    /// <summary>The connection these options describe (once validated).</summary>
    public StorageConnection ToConnection()
    {
        if (HasConnectionString) return new StorageConnection(ConnectionString, null, null, null, null);
        TokenCredential credential = string.IsNullOrWhiteSpace(Credential)
            ? new DefaultAzureCredential()
            : string.IsNullOrWhiteSpace(ClientId)
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(ClientId));
        return new StorageConnection(null, ServiceUri(TableServiceUri, "table"), ServiceUri(QueueServiceUri, "queue"), ServiceUri(BlobServiceUri, "blob"), credential);
    }

    /// <summary>The endpoint given, else the account name's default one, else null.</summary>
    internal Uri? ServiceUri(string? text, string service)
    {
        if (string.IsNullOrWhiteSpace(text))
            return string.IsNullOrWhiteSpace(AccountName) ? null : new Uri($"https://{AccountName}.{service}.core.windows.net/");
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) ? uri : null;
    }
}

/// <summary>
/// Names what is wrong with <c>AzureWebJobsStorage</c>: missing; a connection string the Azure SDK's own parser refuses
/// (each client is constructed once here, so a wrong one is named at start); a service URI that is not an absolute
/// http(s) URI; an identity-based connection without its endpoints; a credential other than <c>managedidentity</c>.
/// </summary>
public sealed class StorageConnectionOptionsValidator : SettingsValidator<StorageConnectionOptions>
{
    private const string Name = StorageConnectionOptions.Section;

    /// <inheritdoc />
    protected override void Check(StorageConnectionOptions options, List<string> problems)
    {
        if (options.HasConnectionString)
        {
            try
            {
                _ = new TableServiceClient(options.ConnectionString);
                _ = new QueueServiceClient(options.ConnectionString);
                _ = new BlobServiceClient(options.ConnectionString);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
            {
                problems.Add($"{Name} is not a usable storage connection string: {e.Message}");
            }
            return;
        }

        var wrongUri = false;
        foreach (var (key, text, service) in new[]
        {
            ("tableServiceUri", options.TableServiceUri, "table"),
            ("queueServiceUri", options.QueueServiceUri, "queue"),
            ("blobServiceUri", options.BlobServiceUri, "blob"),
        })
        {
            if (IsUnset(text) || options.ServiceUri(text, service) is not null) continue;
            problems.Add($"{Name}__{key} is '{text}': expected an absolute http(s) URI such as https://account.{service}.core.windows.net/.");
            wrongUri = true;
        }
        if (wrongUri) return;
        if (options.ServiceUri(options.TableServiceUri, "table") is null || options.ServiceUri(options.QueueServiceUri, "queue") is null || options.ServiceUri(options.BlobServiceUri, "blob") is null)
        {
            problems.Add(IsUnset(options.AccountName) && options.TableServiceUri is null && options.QueueServiceUri is null && options.BlobServiceUri is null
                ? $"{Name} is missing: a storage connection string (UseDevelopmentStorage=true for Azurite), " +
                  $"or an identity-based connection ({Name}__accountName, or {Name}__tableServiceUri, __queueServiceUri and __blobServiceUri)."
                : $"{Name}: an identity-based connection needs {Name}__accountName, or all three of __tableServiceUri, __queueServiceUri and __blobServiceUri.");
            return;
        }
        if (!IsUnset(options.Credential) && !string.Equals(options.Credential, "managedidentity", StringComparison.OrdinalIgnoreCase))
            problems.Add($"{Name}__credential is '{options.Credential}': the only value understood is 'managedidentity'.");
    }
}
