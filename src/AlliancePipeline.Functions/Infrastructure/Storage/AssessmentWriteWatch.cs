using System.Text;
using System.Text.RegularExpressions;
using AlliancePipeline.Contracts.Storage;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Infrastructure.Storage;

/// <summary>
/// A pipeline policy of the app's table client that keeps <see cref="AssessmentViews"/> in line with every write to
/// <c>Assessments</c>, whichever code makes it (a single insert, merge, replace or delete, or a transaction): before
/// the write it marks the assessments written, after it syncs their views and removes the markers. If anything stops
/// in between, the markers stay and readers take those assessments from <c>Assessments</c> (and sync them once the
/// marker is old), so the views never disagree with the table they show. Writes to other tables pass untouched.
/// </summary>
public sealed partial class AssessmentWriteWatch : HttpPipelinePolicy
{
    private AssessmentViews? _views;
    private readonly Action<string>? _failed;

    private AssessmentWriteWatch(Action<string>? failed) => _failed = failed;

    /// <summary>
    /// A table client whose writes to <c>Assessments</c> keep the views: <paramref name="create"/> makes it from
    /// <paramref name="options"/>, to which the policy is added (the views are written through the same client).
    /// </summary>
    public static TableServiceClient Client(TableClientOptions options, Func<TableClientOptions, TableServiceClient> create, Action<string>? failed = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(create);
        var watch = new AssessmentWriteWatch(failed);
        options.AddPolicy(watch, HttpPipelinePosition.PerCall);
        var client = create(options);
        watch._views = new AssessmentViews(client);
        return client;
    }

    /// <summary>A watched client for a connection string (tools and tests that write <c>Assessments</c> as the app does).</summary>
    public static TableServiceClient Client(string connectionString, TableClientOptions? options = null) =>
        Client(options ?? new TableClientOptions(), o => new TableServiceClient(connectionString, o));

    /// <inheritdoc />
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline, async: false).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline, async: true);

    private async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, bool async)
    {
        var written = _views is null ? null : Written(message.Request);
        if (written is null)
        {
            if (async) await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            else ProcessNext(message, pipeline);
            return;
        }
        var (studyId, ids) = written.Value;
        var ct = message.CancellationToken;
        var marks = await _views!.MarkAsync(studyId, ids, ct).ConfigureAwait(false);
        if (async) await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        else ProcessNext(message, pipeline);
        try
        {
            await _views.SyncAsync(studyId, ids, CancellationToken.None).ConfigureAwait(false);
            await _views.UnmarkAsync(marks, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or OperationCanceledException or AggregateException or HttpRequestException)
        {
            // The write itself stands; its markers stay, so readers take these assessments from Assessments meanwhile.
            _failed?.Invoke($"views of {ids.Count} assessment(s) of {studyId} not synced: {e.Message}");
        }
    }

    /// <summary>The study and assessments a request writes in <c>Assessments</c>, or null when it writes none.</summary>
    internal static (string StudyId, IReadOnlyCollection<string> Ids)? Written(Request request)
    {
        if (request.Method == RequestMethod.Get || request.Method == RequestMethod.Head) return null;
        var path = request.Uri.Path;
        if (path.EndsWith("/$batch", StringComparison.Ordinal))
        {
            if (request.Content is null) return null;
            using var buffer = new MemoryStream();
            request.Content.WriteTo(buffer, CancellationToken.None);
            var body = Encoding.UTF8.GetString(buffer.ToArray());
            if (!BatchTarget().IsMatch(body)) return null;
            return Keys(KeyedPath().Matches(body).Select(m => (m.Groups[1].Value, m.Groups[2].Value))
                .Concat(JsonKeys(body)));
        }
        var keyed = KeyedPath().Match(Uri.UnescapeDataString(path));
        if (keyed.Success && SingleTarget().IsMatch(path)) return Keys([(keyed.Groups[1].Value, keyed.Groups[2].Value)]);
        if (request.Method == RequestMethod.Post && InsertPath().IsMatch(path) && request.Content is not null)
        {
            using var buffer = new MemoryStream();
            request.Content.WriteTo(buffer, CancellationToken.None);
            return Keys(JsonKeys(Encoding.UTF8.GetString(buffer.ToArray())));
        }
        return null;
    }

    private static (string StudyId, IReadOnlyCollection<string> Ids)? Keys(IEnumerable<(string Partition, string Row)> keys)
    {
        var list = keys.Select(k => (Unquote(k.Partition), Unquote(k.Row))).ToList();
        if (list.Count == 0) return null;
        return (list[0].Item1, list.Select(k => k.Item2).Distinct(StringComparer.Ordinal).ToList());
    }

    private static string Unquote(string key) => Uri.UnescapeDataString(key).Replace("''", "'", StringComparison.Ordinal);

    private static IEnumerable<(string, string)> JsonKeys(string body) =>
        JsonPartition().Matches(body).Zip(JsonRow().Matches(body), (p, r) => (p.Groups[1].Value, r.Groups[1].Value));

    [GeneratedRegex(@"/" + StorageNames.AssessmentsTable + @"\(PartitionKey='([^']*(?:''[^']*)*)',\s*RowKey='([^']*(?:''[^']*)*)'\)")]
    private static partial Regex KeyedPath();

    [GeneratedRegex(@"/" + StorageNames.AssessmentsTable + @"(\(|\(\)|\?| HTTP/)")]
    private static partial Regex BatchTarget();

    [GeneratedRegex(@"/" + StorageNames.AssessmentsTable + @"(\(|%28)")]
    private static partial Regex SingleTarget();

    [GeneratedRegex(@"/" + StorageNames.AssessmentsTable + @"(\(\))?$")]
    private static partial Regex InsertPath();

    [GeneratedRegex(@"""PartitionKey""\s*:\s*""([^""]*)""")]
    private static partial Regex JsonPartition();

    [GeneratedRegex(@"""RowKey""\s*:\s*""([^""]*)""")]
    private static partial Regex JsonRow();
}
