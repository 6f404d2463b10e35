using System.Globalization;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Exports;
using AlliancePipeline.Functions.Infrastructure.Audit;
using AlliancePipeline.Functions.Infrastructure.Http;
using Azure;
using Azure.Storage.Blobs;

namespace AlliancePipeline.Functions.Reports;

/// <summary>
/// What researchers open: a study's report files (<c>reports/{studyId}/{run}/{file}</c>, the latest or a given run),
/// its exports (CSV, JSON, FHIR), and a report run on demand. The routes check the key (reports need a key that reads
/// every site: researcher, study coordinator or admin); this class serves.
/// </summary>
public sealed class ReportAccess(BlobServiceClient blobs, ExportService exports, ReportWriter reports, AuditLog audit)
{
    /// <summary>The files of a report set, with their media types.</summary>
    public static readonly IReadOnlyDictionary<string, string> Files = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["report.html"] = "text/html; charset=utf-8",
        ["responses.csv"] = "text/csv; charset=utf-8",
        ["codebook.csv"] = "text/csv; charset=utf-8",
        ["clusters.json"] = "application/json",
        ["reproduce.R"] = "text/plain; charset=utf-8",
    };

    /// <summary>The security policy of a served report: self-contained, inline CSS and SVG, no script, no outside request.</summary>
    public const string ReportSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Serves one file of a report set: <paramref name="run"/> is <c>latest</c> or a run id.</summary>
    public async Task<IResult> FileAsync(string studyId, string run, string file, CancellationToken ct)
    {
        if (!StudyIds.IsValid(studyId) || !(run == "latest" || RunIds.IsValid(run)) || !Files.TryGetValue(file, out var contentType))
            return HttpResults.Problem(404, "No such report file", $"Report files are {string.Join(", ", Files.Keys)} under 'latest' or a run id.");
        try
        {
            var content = await blobs.GetBlobContainerClient(StorageNames.ReportsContainer).GetBlobClient($"{studyId}/{run}/{file}").DownloadContentAsync(ct).ConfigureAwait(false);
            return new ReportFileResult(content.Value.Content.ToArray(), contentType, file);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return HttpResults.Problem(404, "No report yet", $"Study '{studyId}' has no report '{run}' yet: Recluster writes one when the study has responses.");
        }
    }

    /// <summary>A study's responses as CSV, JSON or FHIR R4 resources.</summary>
    public async Task<IResult> ExportAsync(string studyId, string? format, CancellationToken ct)
    {
        format = (format ?? "csv").ToLowerInvariant();
        if (!ExportService.Formats.Contains(format))
            return HttpResults.Problem(400, "Unknown export format", $"'{format}' is not one of {string.Join(", ", ExportService.Formats)}.");
        var file = await exports.ExportAsync(studyId, format, ct).ConfigureAwait(false);
        return file is null
            ? HttpResults.Problem(404, "No such study", $"Study '{studyId}' does not exist.")
            : new ReportFileResult(file.Content, file.ContentType, file.Name);
    }

    /// <summary>Runs the study's report now, even when nothing is new; answers the run and where its report is.</summary>
    public async Task<IResult> ReclusterAsync(string studyId, string actor, CancellationToken ct)
    {
        if (!StudyIds.IsValid(studyId)) return HttpResults.Problem(404, "No such study", $"'{studyId}' is not a study id.");
        var runId = await reports.RunAsync(studyId, force: true, ct).ConfigureAwait(false);
        if (runId is null) return HttpResults.Problem(404, "Nothing to report", $"Study '{studyId}' does not exist or has no data yet.");
        await audit.WriteAsync(studyId, actor, "report.run", runId, "run on demand", ct).ConfigureAwait(false);
        return TypedResults.Ok(new { studyId, runId, report = $"api/studies/{studyId}/reports/{runId}/report.html" });
    }

    private sealed class ReportFileResult(byte[] content, string contentType, string name) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = 200;
            response.ContentType = contentType;
            response.ContentLength = content.Length;
            response.Headers.CacheControl = "no-store";
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers["Referrer-Policy"] = "no-referrer";
            response.Headers.ContentSecurityPolicy = ReportSecurityPolicy;
            if (!contentType.StartsWith("text/html", StringComparison.Ordinal))
                response.Headers.ContentDisposition = string.Create(CultureInfo.InvariantCulture, $"attachment; filename=\"{name}\"");
            return response.Body.WriteAsync(content, httpContext.RequestAborted).AsTask();
        }
    }
}

/// <summary>Run ids as <c>ReportWriter</c> makes them: <c>yyyyMMddTHHmmssZ-xxxxxxxx</c>.</summary>
public static partial class RunIds
{
    /// <summary>Whether <paramref name="runId"/> has that shape (nothing else reaches a blob path).</summary>
    public static bool IsValid(string? runId) => runId is not null && Pattern().IsMatch(runId);

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$")]
    private static partial System.Text.RegularExpressions.Regex Pattern();
}
