using AlliancePipeline.Storage.Common;
using Azure.Core.Pipeline;

namespace AlliancePipeline.Storage.Tables;

/// <summary>The Table service of one account over its REST API, with one <see cref="HttpPipeline"/> for all its tables.</summary>
public sealed class TableServiceClient : ITableServiceClient
{
    private readonly HttpPipeline _pipeline;
    private readonly bool _validate;

    /// <summary>A client for the account's Table endpoint, authorised by its Shared Key or token credential.</summary>
    public TableServiceClient(StorageAccount account, StorageClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        _pipeline = StoragePipeline.Build(account, options, StorageService.Table);
        Endpoint = account.TableEndpoint;
        _validate = options?.ValidateEntitiesBeforeSending ?? true;
    }

    /// <summary>The Table service endpoint.</summary>
    public Uri Endpoint { get; }

    /// <inheritdoc />
    public ITableClient GetTableClient(string tableName) => new TableClient(_pipeline, Endpoint, TableValidation.ValidateTableName(tableName), _validate);
}
