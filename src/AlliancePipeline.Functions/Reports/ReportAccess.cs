using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Exports;
using AlliancePipeline.Functions.Infrastructure.Audit;
using AlliancePipeline.Functions.Infrastructure.Outcomes;
using Azure;
using Azure.Storage.Blobs;

namespace AlliancePipeline.Functions.Reports;

/// <summary>
/// What researchers open: a study's report files (<c>reports/{studyId}/{run}/{file}</c>, the latest or a given run),
/// its exports (CSV, JSON, FHIR), and a report run on demand. The routes declare the key they take (reports need a key
/// that reads every site: researcher, study coordinator or admin); this class reads, and audits every file it answers
/// (<c>report.read</c>, <c>export.read</c>: the key, the study, the scope, the format and the rows, never the content).
/// </summary>
public sealed class ReportAccess(BlobServiceClient blobs, ExportService exports, ReportWriter reports, AuditLog audit)
{
    /// <summary>The files of a report set, with their media types.</summary>
    public static readonly IReadOnlyDictionary<string, string> Files = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["report.html"] = "text/html; charset=utf-8",
        ["responses.csv"] = "text/csv; charset=utf-8",
        ["codebook.csv"] = "text/csv; charset=utf-8",
        ["dyads.csv"] = "text/csv; charset=utf-8",
        ["clusters.json"] = "application/json",
        ["reproduce.R"] = "text/plain; charset=utf-8",
    };

    /// <summary>The security policy of a served report: self-contained, inline CSS and SVG, no script, no outside request.</summary>
    public const string ReportSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>
    /// One file of a report set: <paramref name="run"/> is <c>latest</c> or a run id. Its reading by
    /// <paramref name="caller"/> is audited (<c>report.read</c>) before it is answered.
    /// </summary>
    public async Task<Outcome<ExportFile>> FileAsync(string studyId, string run, string file, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!StudyIds.IsValid(studyId) || !(run == "latest" || RunIds.IsValid(run)) || !Files.TryGetValue(file, out var contentType))
            return Refusal.NotFound("No such report file", $"Report files are {string.Join(", ", Files.Keys)} under 'latest' or a run id.");
        byte[] bytes;
        try
        {
            var content = await blobs.GetBlobContainerClient(StorageNames.ReportsContainer).GetBlobClient($"{studyId}/{run}/{file}").DownloadContentAsync(ct).ConfigureAwait(false);
            bytes = content.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return Refusal.NotFound("No report yet", $"Study '{studyId}' has no report '{run}' yet: Recluster writes one when the study has responses.");
        }
        var found = new ExportFile(file, contentType, bytes) { Rows = file.EndsWith(".csv", StringComparison.Ordinal) ? CsvRecords(bytes) : null };
        await audit.ReadAsync(studyId, caller, "report.read", $"{run}/{file}", Path.GetExtension(file).TrimStart('.').ToLowerInvariant(), found.Rows, ct).ConfigureAwait(false);
        return found;
    }

    /// <summary>
    /// A study's responses as CSV, JSON or FHIR R4 resources (<paramref name="format"/>; CSV when not given), ready to be
    /// streamed. Its reading is audited by <see cref="AuditExportAsync"/> once it has been written.
    /// </summary>
    public async Task<Outcome<ExportStream>> ExportAsync(string studyId, string? format, CancellationToken ct)
    {
        format = (format ?? "csv").ToLowerInvariant();
        if (!ExportService.Formats.Contains(format))
            return Refusal.Invalid("Unknown export format", $"'{format}' is not one of {string.Join(", ", ExportService.Formats)}.");
        var export = await exports.OpenAsync(studyId, format, ct).ConfigureAwait(false);
        if (export is null) return Refusal.NotFound("No such study", $"Study '{studyId}' does not exist.");
        return export;
    }

    /// <summary>
    /// Audits the reading of <paramref name="export"/> by <paramref name="caller"/> (<c>export.read</c>) with the responses
    /// it wrote; an export cut short (<paramref name="complete"/> false: the client went away, or the writing failed) is
    /// audited with the rows that went out and the format marked <c>interrupted</c>.
    /// </summary>
    public Task AuditExportAsync(string studyId, Caller caller, ExportStream export, int rows, bool complete, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(export);
        return audit.ReadAsync(studyId, caller, "export.read", export.Name, complete ? export.Format : export.Format + " (interrupted)", rows, ct);
    }

    /// <summary>The records of a CSV file (its header line not counted; a quoted line break is no new record).</summary>
    private static int CsvRecords(byte[] bytes)
    {
        using var csv = global::CsvHelper.CsvReader.FromText(System.Text.Encoding.UTF8.GetString(bytes), global::CsvHelper.CsvReaderOptions.Default with { HasHeader = true });
        var records = 0;
        while (csv.Read()) records++;
        return records;
    }

    /// <summary>Runs the study's report now, even when nothing is new, by <paramref name="actor"/>: the run and where its report is.</summary>
    public async Task<Outcome<ReportRun>> ReclusterAsync(string studyId, string actor, CancellationToken ct)
    {
        if (!StudyIds.IsValid(studyId)) return Refusal.NotFound("No such study", $"'{studyId}' is not a study id.");
        var runId = await reports.RunAsync(studyId, force: true, ct).ConfigureAwait(false);
        if (runId is null) return Refusal.NotFound("Nothing to report", $"Study '{studyId}' does not exist or has no data yet.");
        await audit.WriteAsync(studyId, actor, "report.run", runId, "run on demand", ct).ConfigureAwait(false);
        return new ReportRun(studyId, runId, $"api/studies/{studyId}/reports/{runId}/report.html");
    }
}

/// <summary>A report run on demand.</summary>
/// <param name="StudyId">The study.</param>
/// <param name="RunId">The run.</param>
/// <param name="Report">Where its report is, under the app's address.</param>
public sealed record ReportRun(string StudyId, string RunId, string Report);

/// <summary>Run ids as <c>ReportWriter</c> makes them: <c>yyyyMMddTHHmmssZ-xxxxxxxx</c>.</summary>
public static partial class RunIds
{
    /// <summary>Whether <paramref name="runId"/> has that shape (nothing else reaches a blob path).</summary>
    public static bool IsValid(string? runId) => runId is not null && Pattern().IsMatch(runId);

    [System.Text.RegularExpressions.GeneratedRegex(@"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}\z")]
    private static partial System.Text.RegularExpressions.Regex Pattern();
}
