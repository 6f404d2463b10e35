using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AlliancePipeline.Storage.Common;
using Azure;
using Azure.Core;

namespace AlliancePipeline.Storage.Tables;

/// <summary>
/// An entity group transaction ("Performing entity group transactions", learn.microsoft.com/rest/api/storageservices/
/// performing-entity-group-transactions): a <c>multipart/mixed</c> batch holding one change set of up to 100
/// operations on one partition; the service answers with one sub-response per operation, or with the single
/// refused one, its message prefixed by the operation's index (<c>3:…</c>).
/// </summary>
internal sealed partial class TableTransaction
{
    public const int MaxActions = 100;
    public const int MaxPayloadBytes = 4 * 1024 * 1024;

    private readonly string _batchBoundary = "batch_" + Guid.NewGuid().ToString("N");
    private readonly IReadOnlyList<TableTransactionAction> _actions;

    public TableTransaction(Uri endpoint, string table, IReadOnlyList<TableTransactionAction> actions)
    {
        _actions = actions;
        var changeset = "changeset_" + Guid.NewGuid().ToString("N");
        var body = new StringBuilder();
        body.Append("--").Append(_batchBoundary).Append("\r\n")
            .Append("Content-Type: multipart/mixed; boundary=").Append(changeset).Append("\r\n\r\n");
        for (var i = 0; i < actions.Count; i++)
        {
            var (type, entity) = (actions[i].ActionType, actions[i].Entity);
            var (method, path, ifMatch) = type switch
            {
                TableTransactionActionType.Add => ("POST", table, (string?)null),
                TableTransactionActionType.Delete => ("DELETE", TableClient.EntityPath(table, entity.PartitionKey, entity.RowKey), TableClient.IfMatch(entity.ETag)),
                TableTransactionActionType.UpdateMerge => ("MERGE", TableClient.EntityPath(table, entity.PartitionKey, entity.RowKey), TableClient.IfMatch(entity.ETag)),
                TableTransactionActionType.UpdateReplace => ("PUT", TableClient.EntityPath(table, entity.PartitionKey, entity.RowKey), TableClient.IfMatch(entity.ETag)),
                TableTransactionActionType.UpsertMerge => ("MERGE", TableClient.EntityPath(table, entity.PartitionKey, entity.RowKey), null),
                TableTransactionActionType.UpsertReplace => ("PUT", TableClient.EntityPath(table, entity.PartitionKey, entity.RowKey), null),
                _ => throw new ArgumentOutOfRangeException(nameof(actions), type, "Unknown transaction action."),
            };
            body.Append("--").Append(changeset).Append("\r\n")
                .Append("Content-Type: application/http\r\n")
                .Append("Content-Transfer-Encoding: binary\r\n")
                .Append("Content-ID: ").Append(i + 1).Append("\r\n\r\n")
                .Append(method).Append(' ').Append(endpoint.AbsoluteUri).Append('/').Append(path).Append(" HTTP/1.1\r\n")
                .Append("Accept: ").Append(TableClient.AcceptFullMetadata).Append("\r\n")
                .Append("DataServiceVersion: 3.0\r\n");
            if (ifMatch is not null) body.Append("If-Match: ").Append(ifMatch).Append("\r\n");
            if (type == TableTransactionActionType.Delete)
            {
                body.Append("\r\n");
            }
            else
            {
                if (type == TableTransactionActionType.Add) body.Append("Prefer: return-no-content\r\n");
                body.Append("Content-Type: application/json\r\n\r\n")
                    .Append(Encoding.UTF8.GetString(TableEntityJson.Serialize(entity))).Append("\r\n");
            }
        }

        body.Append("--").Append(changeset).Append("--\r\n")
            .Append("--").Append(_batchBoundary).Append("--\r\n");
        Body = Encoding.UTF8.GetBytes(body.ToString());
        if (Body.Length > MaxPayloadBytes)
        {
            throw new ArgumentException($"The transaction's payload is {Body.Length:N0} bytes; the Table service takes at most {MaxPayloadBytes:N0} (4 MiB).", nameof(actions));
        }
    }

    public string ContentType => "multipart/mixed; boundary=" + _batchBoundary;

    public byte[] Body { get; }

    /// <summary>Checks what the service would refuse: 1–100 operations, one partition, each row once, valid entities.</summary>
    public static IReadOnlyList<TableTransactionAction> Validate(IEnumerable<TableTransactionAction> actions, bool validateEntities = true)
    {
        ArgumentNullException.ThrowIfNull(actions);
        var list = actions.ToList();
        if (list.Count is 0 or > MaxActions)
        {
            throw new ArgumentException($"A transaction holds 1 to {MaxActions} operations, not {list.Count}.", nameof(actions));
        }

        var partition = list[0].Entity.PartitionKey;
        var rows = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var entity = list[i].Entity ?? throw new ArgumentException($"Operation {i} has no entity.", nameof(actions));
            if (!validateEntities)
            {
                // The service will judge the entities themselves.
            }
            else if (list[i].ActionType == TableTransactionActionType.Delete)
            {
                TableValidation.ValidateKey(entity.PartitionKey, "PartitionKey");
                TableValidation.ValidateKey(entity.RowKey, "RowKey");
            }
            else
            {
                TableValidation.ValidateEntity(entity);
            }

            if (!string.Equals(entity.PartitionKey, partition, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Operation {i} is on partition '{entity.PartitionKey}', but a transaction stays in one partition ('{partition}').", nameof(actions));
            }

            if (!rows.Add(entity.RowKey))
            {
                throw new ArgumentException($"Operation {i} touches RowKey '{entity.RowKey}' a second time; a transaction may touch each entity once.", nameof(actions));
            }
        }

        return list;
    }

    /// <summary>Reads the sub-responses; a refused operation throws <see cref="TableTransactionFailedException"/>.</summary>
    public IReadOnlyList<Response> ParseResponse(Response response)
    {
        var text = response.Content.ToString();
        var subResponses = new List<Response>();
        foreach (Match match in StatusLine().Matches(text))
        {
            var status = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var reason = match.Groups[2].Value.Trim();
            var headerStart = match.Index + match.Length;
            var headerEnd = text.IndexOf("\r\n\r\n", headerStart, StringComparison.Ordinal);
            var headerText = headerEnd < 0 ? text[headerStart..] : text[headerStart..headerEnd];
            var headers = headerText.Split("\r\n", StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(':', 2))
                .Where(p => p.Length == 2)
                .Select(p => new HttpHeader(p[0].Trim(), p[1].Trim()))
                .ToList();
            var nextBoundary = headerEnd < 0 ? -1 : text.IndexOf("\r\n--", headerEnd + 4, StringComparison.Ordinal);
            var body = headerEnd < 0 ? "" : (nextBoundary < 0 ? text[(headerEnd + 4)..] : text[(headerEnd + 4)..nextBoundary]);
            subResponses.Add(new TransactionSubResponse(status, reason, headers, body));
        }

        var failed = subResponses.FirstOrDefault(r => r.Status >= 400);
        if (failed is not null)
        {
            var (code, message) = StorageErrors.Parse(failed);
            int? index = null;
            var prefix = message is null ? null : FailedIndex().Match(message);
            if (prefix is { Success: true }) index = int.Parse(prefix.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            else if (failed.Headers.TryGetValue("Content-ID", out var contentId) && int.TryParse(contentId, out var id)) index = id - 1;
            var what = index is { } k && k >= 0 && k < _actions.Count
                ? $" at operation {k} ({_actions[k].ActionType} of RowKey '{_actions[k].Entity.RowKey}')"
                : "";
            throw new TableTransactionFailedException(
                failed.Status,
                $"Entity group transaction refused{what}: {failed.Status} {failed.ReasonPhrase}" + (code is null ? "" : $" ({code})") + (message is null ? "." : $": {message}"),
                code,
                index);
        }

        return subResponses;
    }

    [GeneratedRegex(@"HTTP/1\.1 (\d{3})([^\r\n]*)\r\n")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"^(\d+):")]
    private static partial Regex FailedIndex();

    /// <summary>One operation's answer inside a batch response.</summary>
    private sealed class TransactionSubResponse(int status, string reasonPhrase, IReadOnlyList<HttpHeader> headers, string body) : Response
    {
        public override int Status => status;

        public override string ReasonPhrase => reasonPhrase;

        public override Stream? ContentStream { get; set; } = new MemoryStream(Encoding.UTF8.GetBytes(body));

        public override string ClientRequestId { get; set; } = "";

        public override void Dispose() => ContentStream?.Dispose();

        protected override bool ContainsHeader(string name) => headers.Any(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => headers;

        protected override bool TryGetHeader(string name, out string value)
        {
            var header = headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));
            value = header.Name is null ? null! : header.Value;
            return header.Name is not null;
        }

        protected override bool TryGetHeaderValues(string name, out IEnumerable<string> values)
        {
            var found = TryGetHeader(name, out var value);
            values = found ? [value] : [];
            return found;
        }
    }
}
