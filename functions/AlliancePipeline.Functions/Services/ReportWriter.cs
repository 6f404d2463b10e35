using System.Globalization;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Storage;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace AlliancePipeline.Functions.Services;

/// <summary>One stored response, as read back from <c>Responses</c>.</summary>
public sealed record StoredResponse(
    string StudyId, string AssessmentId, string SiteId, string DyadId, int Meeting, string RaterRole,
    IReadOnlyList<int> Items, double Goal, double Task, double Bond, double Global, DateTimeOffset SubmittedAt);

/// <summary>A report file: its name within the run folder, content type and content.</summary>
public sealed record ReportFile(string Name, string ContentType, string Content);

/// <summary>
/// A report set: its files, and what the run found, as <c>ClusterRuns</c> properties (e.g. <c>K</c>, <c>KReason</c>,
/// <c>DyadsClustered</c>) so a run can be judged without opening its blobs.
/// </summary>
public sealed class ReportSet(IReadOnlyList<ReportFile> files, IReadOnlyDictionary<string, object> runProperties) : IReadOnlyList<ReportFile>
{
    /// <summary>Properties recorded on the run's <c>ClusterRuns</c> entity.</summary>
    public IReadOnlyDictionary<string, object> RunProperties { get; } = runProperties;

    /// <inheritdoc />
    public ReportFile this[int index] => files[index];

    /// <inheritdoc />
    public int Count => files.Count;

    /// <inheritdoc />
    public IEnumerator<ReportFile> GetEnumerator() => files.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Builds a study's report set from its responses, without I/O.</summary>
public interface IReportBuilder
{
    /// <summary>The files of the report set (report.html, responses.csv, codebook.csv, clusters.json) and the run's findings.</summary>
    ReportSet Build(Study study, string runId, IReadOnlyList<StoredResponse> responses, DateTimeOffset generatedAt);
}

/// <summary>
/// Recluster's work: for each study with responses newer than its last run, reads its <c>Responses</c>, writes the
/// report set to <c>reports/{studyId}/{runId}/…</c>, copies it to <c>reports/{studyId}/latest/…</c> and records the
/// run in <c>ClusterRuns</c> (PartitionKey study id, RowKey run id, ResponseCount, LastSubmittedAt, GeneratedAt,
/// BlobPrefix, and the builder's findings: Status, RaterRole, DyadsClustered, DyadsIncomplete, K, KRule, KReason).
/// </summary>
public sealed class ReportWriter(StudyTables studies, TableServiceClient tables, BlobServiceClient blobs, IReportBuilder builder, TimeProvider clock)
{
    /// <summary>Runs every study; returns the run ids written, by study.</summary>
    public async Task<IReadOnlyDictionary<string, string>> RunAllAsync(bool force, CancellationToken ct)
    {
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var study in await studies.ListStudiesAsync(ct).ConfigureAwait(false))
        {
            if (await RunAsync(study, force, ct).ConfigureAwait(false) is { } runId) written[study.Id] = runId;
        }
        return written;
    }

    /// <summary>Writes one study's report set if it has new responses (or <paramref name="force"/>); its run id, or null.</summary>
    public async Task<string?> RunAsync(Study study, bool force, CancellationToken ct)
    {
        var responses = await ReadResponsesAsync(study.Id, ct).ConfigureAwait(false);
        if (responses.Count == 0) return null;
        var lastSubmitted = responses.Max(r => r.SubmittedAt);
        var runs = tables.GetTableClient(StorageNames.ClusterRunsTable);
        if (!force)
        {
            await foreach (var previous in runs.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {study.Id}"), cancellationToken: ct).ConfigureAwait(false))
            {
                if (previous.GetInt32("ResponseCount") == responses.Count && previous.GetDateTimeOffset("LastSubmittedAt") >= lastSubmitted)
                    return null;
            }
        }

        var now = clock.GetUtcNow();
        // Sortable by time, unique across concurrent runs.
        var runId = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
        var files = builder.Build(study, runId, responses, now);
        var container = blobs.GetBlobContainerClient(StorageNames.ReportsContainer);
        foreach (var folder in new[] { runId, "latest" })
        {
            foreach (var file in files)
            {
                var options = new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = file.ContentType } };
                await container.GetBlobClient($"{study.Id}/{folder}/{file.Name}").UploadAsync(BinaryData.FromString(file.Content), options, ct).ConfigureAwait(false);
            }
        }
        var run = new TableEntity(study.Id, runId)
        {
            ["ResponseCount"] = responses.Count,
            ["LastSubmittedAt"] = lastSubmitted,
            ["GeneratedAt"] = now,
            ["BlobPrefix"] = $"{StorageNames.ReportsContainer}/{study.Id}/{runId}/",
        };
        foreach (var (name, value) in files.RunProperties) run[name] = value;
        await runs.UpsertEntityAsync(run, TableUpdateMode.Replace, ct).ConfigureAwait(false);
        return runId;
    }

    /// <summary>A study's stored responses.</summary>
    public async Task<IReadOnlyList<StoredResponse>> ReadResponsesAsync(string studyId, CancellationToken ct)
    {
        var list = new List<StoredResponse>();
        var table = tables.GetTableClient(StorageNames.ResponsesTable);
        await foreach (var e in table.QueryAsync<ResponseEntity>(e => e.PartitionKey == studyId, cancellationToken: ct).ConfigureAwait(false))
        {
            list.Add(new StoredResponse(
                e.PartitionKey, e.RowKey, e.SiteId, e.DyadId, e.Meeting, e.RaterRole, e.Items,
                e.Goal, e.Task, e.Bond, e.Global, new DateTimeOffset(DateTime.SpecifyKind(e.SubmittedAt, DateTimeKind.Utc))));
        }
        return list;
    }
}
