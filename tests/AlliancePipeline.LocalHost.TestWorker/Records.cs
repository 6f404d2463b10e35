using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.LocalHost.TestWorker;

/// <summary>
/// What the functions saw, written to Table Storage so the tests can read it from outside the worker process:
/// one entity per attempt, keyed by the test's own key.
/// </summary>
public sealed class Records(TableServiceClient tables)
{
    /// <summary>The table every function writes to.</summary>
    public const string TableName = "LocalHostTestRecords";

    private readonly Lazy<Task<TableClient>> _table = new(async () =>
    {
        var table = tables.GetTableClient(TableName);
        await table.CreateIfNotExistsAsync().ConfigureAwait(false);
        return table;
    });

    /// <summary>Adds one record under <paramref name="key"/> with a fresh row key.</summary>
    public async Task AddAsync(string key, string kind, IDictionary<string, object?> values, CancellationToken cancellationToken = default)
    {
        var entity = new TableEntity(key, $"{DateTime.UtcNow:yyyyMMddHHmmssfffffff}-{Guid.NewGuid():N}") { ["Kind"] = kind };
        foreach (var (name, value) in values) entity[name] = value;
        var table = await _table.Value.ConfigureAwait(false);
        await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether the table answers (used by nothing but a check that storage is reachable).</summary>
    public async Task<bool> ReachableAsync()
    {
        try
        {
            await _table.Value.ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException)
        {
            return false;
        }
    }
}
