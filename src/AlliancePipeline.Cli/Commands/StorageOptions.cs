using System.CommandLine;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;

namespace AlliancePipeline.Cli.Commands;

/// <summary>
/// The options of the commands that reach the app's storage directly rather than through the app: <c>--storage</c>
/// (a connection string: Azurite's <c>UseDevelopmentStorage=true</c>, or an account whose Shared Key is allowed) or
/// <c>--account</c> (an Azure storage account name, reached with the signed-in identity through
/// <see cref="DefaultAzureCredential"/>: <c>az login</c>, a managed identity or the <c>AZURE_*</c> variables; the
/// identity needs the account's Table and Queue data roles, which <c>infra/main.bicep</c> grants its operator).
/// </summary>
public sealed class StorageOptions
{
    /// <summary>A connection string.</summary>
    public Option<string> Storage { get; } = new("--storage")
    {
        Description = "The app's storage connection string (UseDevelopmentStorage=true for the local Azurite; default: ALLIANCE_STORAGE).",
    };

    /// <summary>An account name reached with the signed-in identity.</summary>
    public Option<string> Account { get; } = new("--account")
    {
        Description = "The app's storage account name in Azure, reached as the signed-in identity (az login); instead of --storage.",
    };

    /// <summary>Adds both options to <paramref name="command"/>, with a check that exactly one source is given.</summary>
    public T AddTo<T>(T command) where T : Command
    {
        command.Options.Add(Storage);
        command.Options.Add(Account);
        command.Validators.Add(r =>
        {
            var storage = r.GetValue(Storage) ?? Environment.GetEnvironmentVariable("ALLIANCE_STORAGE");
            var account = r.GetValue(Account);
            if (r.GetValue(Storage) is not null && account is not null) r.AddError("Give --storage or --account, not both.");
            else if (storage is null && account is null) r.AddError("Give --storage CONNECTION-STRING (or ALLIANCE_STORAGE) or --account NAME.");
            else if (account is not null && !IsAccountName(account)) r.AddError($"--account '{account}' is not a storage account name (3-24 lowercase letters and digits).");
        });
        return command;
    }

    /// <summary>The table and queue clients the parsed options describe.</summary>
    /// <exception cref="FormatException">The connection string is not one.</exception>
    public (TableServiceClient Tables, QueueServiceClient Queues) Clients(ParseResult parse)
    {
        // The app's queues carry base64 text, as the Functions queue trigger expects.
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        var account = parse.GetValue(Account);
        if (account is not null)
        {
            var credential = new DefaultAzureCredential();
            return (new TableServiceClient(new Uri($"https://{account}.table.core.windows.net"), credential),
                    new QueueServiceClient(new Uri($"https://{account}.queue.core.windows.net"), credential, queueOptions));
        }
        var connection = parse.GetValue(Storage) ?? Environment.GetEnvironmentVariable("ALLIANCE_STORAGE")!;
        return (new TableServiceClient(connection), new QueueServiceClient(connection, queueOptions));
    }

    /// <summary>
    /// One line saying why storage could not be used, for an exception a storage call threw; null when the exception
    /// is not one of storage's (a bug, which should surface).
    /// </summary>
    public static string? Describe(Exception e) => e switch
    {
        Azure.RequestFailedException { Status: 0 } => "storage did not answer",
        Azure.RequestFailedException { Status: 403 } r => $"storage refused the identity ({r.ErrorCode}): it needs the account's Table and Queue data roles",
        Azure.RequestFailedException r => $"storage answered {r.Status} {r.ErrorCode}",
        AuthenticationFailedException or CredentialUnavailableException => "no Azure identity is signed in (az login, or a managed identity)",
        AggregateException or HttpRequestException => "storage did not answer",
        FormatException or ArgumentException => "the connection string is not usable",
        _ => null,
    };

    private static bool IsAccountName(string name) =>
        name.Length is >= 3 and <= 24 && name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9');
}
