using System.Globalization;
using System.Text.Json;
using AlliancePipeline.Storage.Common;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AlliancePipeline.Storage.Tables;

/// <summary>
/// One table over the Table service REST API (OData v3 JSON, <c>DataServiceVersion: 3.0</c>, full metadata so every
/// property's EDM type comes back). Entities are checked against the service's limits before sending
/// (<see cref="TableValidation"/>).
/// </summary>
public sealed class TableClient : ITableClient
{
    internal const string AcceptFullMetadata = "application/json;odata=fullmetadata";
    private static readonly RequestMethod Merge = new("MERGE");

    private readonly HttpPipeline _pipeline;
    private readonly Uri _endpoint;
    private readonly bool _validate;

    internal TableClient(HttpPipeline pipeline, Uri endpoint, string name, bool validate = true)
    {
        _pipeline = pipeline;
        _endpoint = endpoint;
        Name = name;
        _validate = validate;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Post, "Tables");
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        SetJson(message, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["TableName"] = Name }));
        await _pipeline.SendToleratingAsync(message, $"Create Table '{Name}'", (r, code) => r.Status == 409 && code == "TableAlreadyExists", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete, $"Tables('{Name}')");
        await _pipeline.SendToleratingAsync(message, $"Delete Table '{Name}'", StorageClientCore.NotFound, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Response<ETag>> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        ValidateEntity(entity);
        using var message = CreateMessage(RequestMethod.Post, Name);
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        SetJson(message, TableEntityJson.Serialize(entity));
        var response = await SendAsync(message, "Insert Entity", entity.PartitionKey, entity.RowKey, cancellationToken).ConfigureAwait(false);
        return Response.FromValue(ETagOf(response), response);
    }

    /// <inheritdoc />
    public Task<Response<ETag>> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
        => WriteAsync(entity, null, mode, mode == TableUpdateMode.Merge ? "Insert Or Merge Entity" : "Insert Or Replace Entity", cancellationToken);

    /// <inheritdoc />
    public Task<Response<ETag>> UpdateEntityAsync(TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
    {
        if (ifMatch == default) throw new ArgumentException("Update needs an ETag to match: the entity's ETag, or ETag.All for an unconditional update.", nameof(ifMatch));
        return WriteAsync(entity, ifMatch, mode, mode == TableUpdateMode.Merge ? "Merge Entity" : "Update Entity", cancellationToken);
    }

    private async Task<Response<ETag>> WriteAsync(TableEntity entity, ETag? ifMatch, TableUpdateMode mode, string operation, CancellationToken cancellationToken)
    {
        ValidateEntity(entity);
        using var message = CreateMessage(mode == TableUpdateMode.Merge ? Merge : RequestMethod.Put, EntityPath(Name, entity.PartitionKey, entity.RowKey));
        if (ifMatch is { } etag) message.Request.Headers.SetValue("If-Match", IfMatch(etag));
        SetJson(message, TableEntityJson.Serialize(entity));
        var response = await SendAsync(message, operation, entity.PartitionKey, entity.RowKey, cancellationToken).ConfigureAwait(false);
        return Response.FromValue(ETagOf(response), response);
    }

    /// <inheritdoc />
    public async Task<Response<TableEntity>> GetEntityAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        var response = await GetEntityIfExistsAsync(partitionKey, rowKey, select, throwIfMissing: true, cancellationToken).ConfigureAwait(false);
        return Response.FromValue(response.Value!, response.GetRawResponse());
    }

    /// <inheritdoc />
    public Task<NullableResponse<TableEntity>> GetEntityIfExistsAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
        => GetEntityIfExistsAsync(partitionKey, rowKey, select, throwIfMissing: false, cancellationToken);

    private async Task<NullableResponse<TableEntity>> GetEntityIfExistsAsync(string partitionKey, string rowKey, IEnumerable<string>? select, bool throwIfMissing, CancellationToken cancellationToken)
    {
        ValidateKeys(partitionKey, rowKey);
        using var message = CreateMessage(RequestMethod.Get, EntityPath(Name, partitionKey, rowKey));
        AppendSelect(message, select);
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status == 404 && !throwIfMissing && StorageErrors.Parse(response).Code == "ResourceNotFound")
        {
            return new NoValueResponse<TableEntity>(response);
        }

        if (response.IsError) throw Error("Query Entity", partitionKey, rowKey, response);
        using var json = JsonDocument.Parse(response.Content.ToMemory());
        response.Headers.TryGetValue("ETag", out var etag);
        return Response.FromValue(TableEntityJson.ReadEntity(json.RootElement, etag), response)!;
    }

    /// <inheritdoc />
    public async Task<Response> DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch = default, CancellationToken cancellationToken = default)
    {
        ValidateKeys(partitionKey, rowKey);
        using var message = CreateMessage(RequestMethod.Delete, EntityPath(Name, partitionKey, rowKey));
        message.Request.Headers.SetValue("If-Match", ifMatch == default ? "*" : IfMatch(ifMatch));
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status == 404 && StorageErrors.Parse(response).Code == "ResourceNotFound") return response;
        if (response.IsError) throw Error("Delete Entity", partitionKey, rowKey, response);
        return response;
    }

    /// <inheritdoc />
    public AsyncPageable<TableEntity> QueryAsync(string? filter = null, int? maxPerPage = null, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        if (maxPerPage is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPerPage), maxPerPage, "The Table service returns 1 to 1,000 entities per page.");
        }

        var selected = select?.ToList();
        return new StoragePageable<TableEntity>((token, pageSize, ct) => QueryPageAsync(filter, pageSize, selected, token, ct), maxPerPage, cancellationToken);
    }

    private async Task<Page<TableEntity>> QueryPageAsync(string? filter, int? pageSize, IReadOnlyList<string>? select, string? continuation, CancellationToken cancellationToken)
    {
        using var message = CreateMessage(RequestMethod.Get, Name + "()");
        if (!string.IsNullOrEmpty(filter)) message.Request.Uri.AppendQuery("$filter", filter);
        if (pageSize is { } top) message.Request.Uri.AppendQuery("$top", top.ToString(CultureInfo.InvariantCulture));
        AppendSelect(message, select);
        if (continuation is not null)
        {
            var parts = continuation.Split('\n');
            message.Request.Uri.AppendQuery("NextPartitionKey", parts[0]);
            if (parts.Length > 1 && parts[1].Length > 0) message.Request.Uri.AppendQuery("NextRowKey", parts[1]);
        }

        var response = await _pipeline.SendCheckedAsync(message, $"Query Entities of '{Name}'" + (filter is null ? "" : $" with $filter={filter}"), cancellationToken).ConfigureAwait(false);
        using var json = JsonDocument.Parse(response.Content.ToMemory());
        var entities = json.RootElement.GetProperty("value").EnumerateArray().Select(e => TableEntityJson.ReadEntity(e)).ToList();
        string? next = null;
        if (response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var nextPartition))
        {
            response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out var nextRow);
            next = nextPartition + "\n" + nextRow;
        }

        return Page<TableEntity>.FromValues(entities, next, response);
    }

    /// <inheritdoc />
    public async Task<Response<IReadOnlyList<Response>>> SubmitTransactionAsync(IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        var list = TableTransaction.Validate(actions, _validate);
        using var message = CreateMessage(RequestMethod.Post, "$batch");
        var batch = new TableTransaction(StoragePipeline.Base(_endpoint), Name, list);
        message.Request.Headers.SetValue("Content-Type", batch.ContentType);
        message.Request.Content = RequestContent.Create(batch.Body);
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.IsError) throw StorageErrors.Create($"Entity group transaction on '{Name}'", response);
        return Response.FromValue(batch.ParseResponse(response), response);
    }

    private void ValidateEntity(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (_validate) TableValidation.ValidateEntity(entity);
    }

    private void ValidateKeys(string partitionKey, string rowKey)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        ArgumentNullException.ThrowIfNull(rowKey);
        if (!_validate) return;
        TableValidation.ValidateKey(partitionKey, "PartitionKey");
        TableValidation.ValidateKey(rowKey, "RowKey");
    }

    private HttpMessage CreateMessage(RequestMethod method, string path)
    {
        var message = _pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(StoragePipeline.Base(_endpoint));
        message.Request.Uri.AppendPath("/", escape: false);
        message.Request.Uri.AppendPath(path, escape: false);
        message.Request.Headers.SetValue("Accept", AcceptFullMetadata);
        message.Request.Headers.SetValue("DataServiceVersion", "3.0");
        message.Request.Headers.SetValue("MaxDataServiceVersion", "3.0;NetFx");
        return message;
    }

    /// <summary>
    /// <c>table(PartitionKey='…',RowKey='…')</c> with single quotes doubled (OData string literal) and then every
    /// reserved or non-ASCII character percent-encoded as UTF-8.
    /// </summary>
    internal static string EntityPath(string table, string partitionKey, string rowKey)
        => $"{table}(PartitionKey='{EscapeKey(partitionKey)}',RowKey='{EscapeKey(rowKey)}')";

    private static string EscapeKey(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));

    private static void SetJson(HttpMessage message, byte[] body)
    {
        message.Request.Headers.SetValue("Content-Type", "application/json");
        message.Request.Content = RequestContent.Create(body);
    }

    private static void AppendSelect(HttpMessage message, IEnumerable<string>? select)
    {
        if (select is null) return;
        var names = select.ToList();
        if (names.Count > 0) message.Request.Uri.AppendQuery("$select", string.Join(',', names));
    }

    /// <summary>The If-Match value: <c>*</c> for <see cref="ETag.All"/>, else the quoted ETag.</summary>
    internal static string IfMatch(ETag etag) => etag == ETag.All || etag == default ? "*" : etag.ToString("H");

    private static ETag ETagOf(Response response) => response.Headers.ETag ?? default;

    private async Task<Response> SendAsync(HttpMessage message, string operation, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.IsError) throw Error(operation, partitionKey, rowKey, response);
        return response;
    }

    private RequestFailedException Error(string operation, string partitionKey, string rowKey, Response response)
    {
        var (code, text) = StorageErrors.Parse(response);
        var description = StorageErrors.Describe($"{operation} on '{Name}' (PartitionKey '{TableValidation.Printable(partitionKey)}', RowKey '{TableValidation.Printable(rowKey)}')", response, code, text);
        return response.Status == 412
            ? new TableConcurrencyException(description + " The entity changed since it was read (ETag mismatch).", code)
            : new RequestFailedException(response.Status, description, code, null);
    }
}
