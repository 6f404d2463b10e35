using System.Globalization;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Infrastructure.Storage;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace AlliancePipeline.Functions.Reports;

/// <summary>
/// Recluster's work: for each study with something new since its last run (new responses, outcomes or alerts), reads
/// everything the report needs (<see cref="ReportSource"/>), builds the set (<see cref="IReportBuilder"/>, pure), writes it to
/// <c>reports/{studyId}/{runId}/…</c>, copies it to <c>reports/{studyId}/latest/…</c> and records the run in
/// <c>ClusterRuns</c> last (PartitionKey study id, RowKey run id): the watermark (ResponseCount, LastSubmittedAt,
/// OutcomeCount, LastOutcomeAt, AlertCount, LastAlertAt), GeneratedAt, PeriodStart (the <c>GeneratedAt</c> of the last run
/// mailed to the recipients, <see cref="MailedAt"/>: the report's alerts are those since), BlobPrefix, and the report's key figures
/// (<see cref="StudyReportBuilder.RunProperties"/>, CertifiedEqualToR among them). A run that stops half-way has no
/// <c>ClusterRuns</c> row, so the next run writes the study again.
/// </summary>
public sealed class ReportWriter(StudyTables studies, ReportSource source, TableServiceClient tables, BlobServiceClient blobs, IReportBuilder builder,
    TimeProvider clock, ILogger<ReportWriter> log)
{
    /// <summary>Runs every study; returns the run ids written, by study. A study that fails is logged and the others go on.</summary>
    public async Task<IReadOnlyDictionary<string, string>> RunAllAsync(bool force, CancellationToken ct)
    {
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        var failures = new List<Exception>();
        foreach (var study in await studies.ListStudiesAsync(ct).ConfigureAwait(false))
        {
            try
            {
                if (await RunAsync(study.Id, force, ct).ConfigureAwait(false) is { } runId) written[study.Id] = runId;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "The report of study {StudyId} could not be written.", study.Id);
                failures.Add(e);
            }
        }
        // Every study had its turn; a failure still fails the invocation, so the host records it.
        if (failures.Count > 0) throw new AggregateException($"{failures.Count} study report(s) could not be written.", failures);
        return written;
    }

    /// <summary>
    /// Writes one study's report set when it has something new since its last run (or <paramref name="force"/>); its run id,
    /// or null when skipped (nothing new, nothing at all, or no such study).
    /// </summary>
    public async Task<string?> RunAsync(string studyId, bool force, CancellationToken ct)
    {
        var runs = tables.GetTableClient(StorageNames.ClusterRunsTable);
        // The latest run by its time (run ids sort by the second only; two runs can share one).
        TableEntity? previous = null, mailed = null;
        static bool Later(TableEntity run, TableEntity? than) =>
            than is null || (run.GetDateTimeOffset("GeneratedAt"), run.RowKey).CompareTo((than.GetDateTimeOffset("GeneratedAt"), than.RowKey)) > 0;
        await foreach (var run in runs.QueryAsync<TableEntity>(e => e.PartitionKey == studyId, cancellationToken: ct).ConfigureAwait(false))
        {
            if (Later(run, previous)) previous = run;
            if (run.GetDateTimeOffset(MailedAt) is not null && Later(run, mailed)) mailed = run;
        }

        var now = clock.GetUtcNow();
        // Sortable by time, unique across concurrent runs.
        var runId = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
        // The report's period (its alerts) starts where the last report mailed to the recipients ended, so the next mailed
        // report covers every alert since, however many nightly runs came between.
        var periodStart = mailed?.GetDateTimeOffset("GeneratedAt");
        var data = await source.ReadAsync(studyId, runId, now, periodStart, ct).ConfigureAwait(false);
        if (data is null || data.Watermark.IsEmpty) return null;
        if (!force && previous is not null && Covers(previous, data.Watermark)) return null;

        var files = builder.Build(data.Input);
        var container = blobs.GetBlobContainerClient(StorageNames.ReportsContainer);
        foreach (var folder in new[] { runId, "latest" })
        {
            foreach (var file in files)
            {
                var options = new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = file.ContentType } };
                await container.GetBlobClient($"{studyId}/{folder}/{file.Name}").UploadAsync(BinaryData.FromString(file.Content), options, ct).ConfigureAwait(false);
            }
        }
        var w = data.Watermark;
        var entity = new TableEntity(studyId, runId)
        {
            ["ResponseCount"] = w.ResponseCount,
            ["OutcomeCount"] = w.OutcomeCount,
            ["AlertCount"] = w.AlertCount,
            ["GeneratedAt"] = now,
            ["BlobPrefix"] = $"{StorageNames.ReportsContainer}/{studyId}/{runId}/",
        };
        if (w.LastSubmittedAt is { } submitted) entity["LastSubmittedAt"] = submitted;
        if (w.LastOutcomeAt is { } outcome) entity["LastOutcomeAt"] = outcome;
        if (w.LastAlertAt is { } alert) entity["LastAlertAt"] = alert;
        if (w.CovariateCount > 0) entity["CovariateCount"] = w.CovariateCount;
        if (w.LastCovariateAt is { } covariate) entity["LastCovariateAt"] = covariate;
        if (periodStart is { } start) entity["PeriodStart"] = start;
        foreach (var (name, value) in files.RunProperties) entity[name] = value;
        await runs.UpsertEntityAsync(entity, TableUpdateMode.Replace, ct).ConfigureAwait(false);
        return runId;
    }

    /// <summary>
    /// The <c>ClusterRuns</c> property <see cref="ReportMailings"/> sets on a run it mailed to the study's recipients: the
    /// next report's period starts at that run's <c>GeneratedAt</c>.
    /// </summary>
    public const string MailedAt = "MailedAt";

    /// <summary>Whether a recorded run already covers the study as it is: the same counts (responses, outcomes, alerts, dyads with covariates) and no later time.</summary>
    public static bool Covers(TableEntity run, StudyWatermark now)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(now);
        static bool NotLater(DateTimeOffset? current, DateTimeOffset? recorded) => current is null || (recorded is not null && current <= recorded);
        return (run.GetInt32("ResponseCount") ?? -1) == now.ResponseCount
               && (run.GetInt32("OutcomeCount") ?? 0) == now.OutcomeCount
               && (run.GetInt32("AlertCount") ?? 0) == now.AlertCount
               && NotLater(now.LastSubmittedAt, run.GetDateTimeOffset("LastSubmittedAt"))
               && NotLater(now.LastOutcomeAt, run.GetDateTimeOffset("LastOutcomeAt"))
               && NotLater(now.LastAlertAt, run.GetDateTimeOffset("LastAlertAt"))
               && (run.GetInt32("CovariateCount") ?? 0) == now.CovariateCount
               && NotLater(now.LastCovariateAt, run.GetDateTimeOffset("LastCovariateAt"));
    }
}
