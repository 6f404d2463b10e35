namespace AlliancePipeline.Storage.Common;

/// <summary>
/// Parses Azure Storage connection strings as documented in "Configure Azure Storage connection strings"
/// (learn.microsoft.com/azure/storage/common/storage-configure-connection-string): <c>key=value</c> pairs separated by
/// <c>;</c>, keys case-insensitive, values may contain <c>=</c> (base64 keys).
/// </summary>
internal static class StorageConnectionString
{
    /// <summary>Azurite's well-known account name.</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known, public account key (documented with the emulator; not a secret).</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly string[] KnownKeys =
    [
        "UseDevelopmentStorage", "DevelopmentStorageProxyUri", "DefaultEndpointsProtocol", "AccountName", "AccountKey",
        "EndpointSuffix", "BlobEndpoint", "QueueEndpoint", "TableEndpoint", "FileEndpoint", "SharedAccessSignature",
    ];

    public static StorageAccount Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new FormatException("The storage connection string is empty.");
        }

        var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var rawPart in connectionString.Split(';'))
        {
            var part = rawPart.Trim();
            if (part.Length == 0) continue;
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                throw new FormatException($"The storage connection string has a part without 'key=value': '{Redact(part)}'.");
            }

            var key = part[..eq].Trim();
            if (!KnownKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                throw new FormatException($"The storage connection string has an unknown setting '{key}'.");
            }

            if (!pairs.TryAdd(key, part[(eq + 1)..].Trim()))
            {
                throw new FormatException($"The storage connection string sets '{key}' twice.");
            }
        }

        if (pairs.TryGetValue("UseDevelopmentStorage", out var dev))
        {
            if (!bool.TryParse(dev, out var useDev) || !useDev)
            {
                throw new FormatException($"UseDevelopmentStorage must be 'true', not '{dev}'.");
            }

            if (pairs.Count > 1)
            {
                throw new FormatException("UseDevelopmentStorage=true cannot be combined with other settings; give explicit endpoints and the account key instead.");
            }

            return StorageAccount.DevelopmentStorage;
        }

        if (pairs.ContainsKey("SharedAccessSignature"))
        {
            throw new FormatException("Shared access signatures are not supported: use AccountName/AccountKey or a managed identity (StorageAccount.FromEndpoints).");
        }

        if (!pairs.TryGetValue("AccountName", out var accountName) || accountName.Length == 0)
        {
            throw new FormatException("The storage connection string has no AccountName.");
        }

        if (!pairs.TryGetValue("AccountKey", out var accountKey) || accountKey.Length == 0)
        {
            throw new FormatException("The storage connection string has no AccountKey.");
        }

        try
        {
            _ = Convert.FromBase64String(accountKey);
        }
        catch (FormatException)
        {
            throw new FormatException("The storage connection string's AccountKey is not valid base64.");
        }

        var protocol = pairs.GetValueOrDefault("DefaultEndpointsProtocol", "https");
        if (protocol is not ("http" or "https"))
        {
            throw new FormatException($"DefaultEndpointsProtocol must be 'http' or 'https', not '{protocol}'.");
        }

        var suffix = pairs.GetValueOrDefault("EndpointSuffix", "core.windows.net");
        Uri Endpoint(string key, string service)
        {
            if (pairs.TryGetValue(key, out var explicitValue))
            {
                if (!Uri.TryCreate(explicitValue, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    throw new FormatException($"The storage connection string's {key} '{explicitValue}' is not an absolute http(s) URI.");
                }

                return uri;
            }

            return new Uri($"{protocol}://{accountName}.{service}.{suffix}");
        }

        return StorageAccount.FromSharedKey(
            accountName,
            Endpoint("TableEndpoint", "table"),
            Endpoint("QueueEndpoint", "queue"),
            Endpoint("BlobEndpoint", "blob"),
            new StorageSharedKeyCredential(accountName, accountKey));
    }

    private static string Redact(string part) => part.Length <= 12 ? part : part[..12] + "…";
}
