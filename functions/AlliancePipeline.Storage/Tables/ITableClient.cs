using Azure;

namespace AlliancePipeline.Storage.Tables;

/// <summary>How an update writes an entity: Replace drops properties not sent; Merge keeps them.</summary>
public enum TableUpdateMode
{
    /// <summary>Insert Or Merge / Merge Entity: properties not sent are kept.</summary>
    Merge,
    /// <summary>Insert Or Replace / Update Entity: the stored entity becomes exactly what was sent.</summary>
    Replace,
}

/// <summary>
/// One table of an Azure Table Storage account, over the Table service REST API.
/// Errors surface as <see cref="RequestFailedException"/> carrying the HTTP status and the service's error code;
/// a failed ETag precondition (412) surfaces as <see cref="TableConcurrencyException"/>.
/// </summary>
public interface ITableClient
{
    /// <summary>The table name.</summary>
    string Name { get; }

    /// <summary>Creates the table if it does not exist (Create Table; a 409 TableAlreadyExists is success).</summary>
    Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes the table if it exists.</summary>
    Task DeleteIfExistsAsync(CancellationToken cancellationToken = default);

    /// <summary>Insert Entity: fails with 409 EntityAlreadyExists if the keys are taken. Returns the new ETag.</summary>
    Task<Response<ETag>> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default);

    /// <summary>Insert Or Merge / Insert Or Replace, unconditional. Returns the new ETag.</summary>
    Task<Response<ETag>> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default);

    /// <summary>
    /// Update or Merge Entity conditioned on <paramref name="ifMatch"/> (<see cref="ETag.All"/> for unconditional).
    /// A mismatch throws <see cref="TableConcurrencyException"/>. Returns the new ETag.
    /// </summary>
    Task<Response<ETag>> UpdateEntityAsync(TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default);

    /// <summary>Query Entity by keys; a missing entity throws <see cref="RequestFailedException"/> with status 404.</summary>
    Task<Response<TableEntity>> GetEntityAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default);

    /// <summary>Query Entity by keys; a missing entity gives a response without a value.</summary>
    Task<NullableResponse<TableEntity>> GetEntityIfExistsAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default);

    /// <summary>Delete Entity, conditioned on <paramref name="ifMatch"/> (default: unconditional). A missing entity is not an error.</summary>
    Task<Response> DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch = default, CancellationToken cancellationToken = default);

    /// <summary>
    /// Query Entities with an OData <paramref name="filter"/> (build it with <see cref="TableFilter"/>), an optional
    /// projection and page size (<c>$top</c>); continuation tokens are followed page by page as the pageable is enumerated.
    /// </summary>
    AsyncPageable<TableEntity> QueryAsync(string? filter = null, int? maxPerPage = null, IEnumerable<string>? select = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Entity group transaction: up to 100 operations on one partition, all or nothing. A refused operation throws
    /// <see cref="TableTransactionFailedException"/> naming the failed operation's index.
    /// </summary>
    Task<Response<IReadOnlyList<Response>>> SubmitTransactionAsync(IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken = default);
}

/// <summary>Entry point to the Table service of one account: hands out <see cref="ITableClient"/>s.</summary>
public interface ITableServiceClient
{
    /// <summary>The client for one table (no request is made).</summary>
    ITableClient GetTableClient(string tableName);
}
