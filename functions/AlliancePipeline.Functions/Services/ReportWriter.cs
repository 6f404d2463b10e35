using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Storage.Blobs;
using AlliancePipeline.Storage.Tables;

namespace AlliancePipeline.Functions.Services;

/// <summary>One stored response, as read back from <c>Responses</c>.</summary>
public sealed record StoredResponse(
    string StudyId, string AssessmentId, string SiteId, string DyadId, int Meeting, string RaterRole,
    IReadOnlyList<int> Items, double Goal, double Task, double Bond, double Global, DateTimeOffset SubmittedAt);

/// <summary>A report file: its name within the run folder, content type and content.</summary>
public sealed record ReportFile(string Name, string ContentType, string Content);

/// <summary>Builds a study's report set from its responses. Analytics' clustering report replaces the minimal one.</summary>
public interface IReportBuilder
{
    /// <summary>The files of the report set: report.html, responses.csv, codebook.csv, clusters.json.</summary>
    IReadOnlyList<ReportFile> Build(Study study, string runId, IReadOnlyList<StoredResponse> responses, DateTimeOffset generatedAt);
}

/// <summary>
/// A minimal report set (the path is real; the analysis is its own issue): counts, mean Global per meeting, the long
/// responses table and its codebook; clusters.json says no clustering was run.
/// </summary>
public sealed class MinimalReportBuilder : IReportBuilder
{
    private static readonly string[] Columns =
        ["StudyId", "AssessmentId", "SiteId", "DyadId", "Meeting", "RaterRole",
         "Item01", "Item02", "Item03", "Item04", "Item05", "Item06", "Item07", "Item08", "Item09", "Item10", "Item11", "Item12",
         "Goal", "Task", "Bond", "Global", "SubmittedAt"];

    /// <inheritdoc />
    public IReadOnlyList<ReportFile> Build(Study study, string runId, IReadOnlyList<StoredResponse> responses, DateTimeOffset generatedAt)
    {
        var byMeeting = responses.GroupBy(r => r.Meeting).OrderBy(g => g.Key)
            .Select(g => (Meeting: g.Key, N: g.Count(), MeanGlobal: g.Average(r => r.Global))).ToList();
        string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);

        var html = new StringBuilder()
            .Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Alliance report</title></head><body><main>")
            .Append(CultureInfo.InvariantCulture, $"<h1>Alliance report: {WebUtility.HtmlEncode(study.Name)}</h1>")
            .Append(CultureInfo.InvariantCulture, $"<p>Run {WebUtility.HtmlEncode(runId)}, generated {generatedAt:yyyy-MM-dd HH:mm} UTC. Responses: <span id=\"response-count\">{responses.Count}</span>.</p>")
            .Append("<table><caption>Mean global score per meeting</caption><thead><tr><th scope=\"col\">Meeting</th><th scope=\"col\">n</th><th scope=\"col\">Mean global</th></tr></thead><tbody>");
        foreach (var (meeting, n, mean) in byMeeting)
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{meeting}</td><td>{n}</td><td>{mean:0.00}</td></tr>");
        html.Append("</tbody></table></main></body></html>");

        var csv = new StringBuilder().AppendJoin(',', Columns).Append("\r\n");
        foreach (var r in responses.OrderBy(r => r.DyadId, StringComparer.Ordinal).ThenBy(r => r.Meeting).ThenBy(r => r.RaterRole, StringComparer.Ordinal))
        {
            csv.AppendJoin(',', new[] { r.StudyId, r.AssessmentId, r.SiteId, r.DyadId, r.Meeting.ToString(CultureInfo.InvariantCulture), r.RaterRole }
                .Concat(r.Items.Select(i => i.ToString(CultureInfo.InvariantCulture)))
                .Concat([F(r.Goal), F(r.Task), F(r.Bond), F(r.Global), r.SubmittedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)])
                .Select(Csv)).Append("\r\n");
        }

        var codebook = new StringBuilder("variable,type,description\r\n")
            .Append("StudyId,string,study id\r\nAssessmentId,string,assessment id (one per dyad x meeting x rater role)\r\n")
            .Append("SiteId,string,site id\r\nDyadId,string,practitioner-client pair\r\nMeeting,integer,meeting number (1-based)\r\n")
            .Append("RaterRole,string,who rated\r\n");
        for (var i = 1; i <= 12; i++) codebook.Append(CultureInfo.InvariantCulture, $"Item{i:00},integer,answer to item {i} as given (before reverse scoring)\r\n");
        codebook.Append("Goal,double,mean of the goal items\r\nTask,double,mean of the task items\r\nBond,double,mean of the bond items\r\n")
            .Append("Global,double,mean of the 12 items\r\nSubmittedAt,datetime,when the answer was accepted (UTC)\r\n");

        var clusters = JsonSerializer.Serialize(new
        {
            studyId = study.Id,
            runId,
            generatedAt,
            responseCount = responses.Count,
            clustering = "not run (minimal report)",
            meanGlobalByMeeting = byMeeting.Select(m => new { meeting = m.Meeting, n = m.N, meanGlobal = m.MeanGlobal }),
        }, new JsonSerializerOptions { WriteIndented = true });

        return
        [
            new("report.html", "text/html; charset=utf-8", html.ToString()),
            new("responses.csv", "text/csv; charset=utf-8", csv.ToString()),
            new("codebook.csv", "text/csv; charset=utf-8", codebook.ToString()),
            new("clusters.json", "application/json", clusters),
        ];
    }

    private static string Csv(string s) => s.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
}

/// <summary>
/// Recluster's work: for each study with responses newer than its last run, reads its <c>Responses</c>, writes the
/// report set to <c>reports/{studyId}/{runId}/…</c>, copies it to <c>reports/{studyId}/latest/…</c> and records the
/// run in <c>ClusterRuns</c> (PartitionKey study id, RowKey run id, ResponseCount, LastSubmittedAt).
/// </summary>
public sealed class ReportWriter(StudyTables studies, ITableServiceClient tables, IBlobServiceClient blobs, IReportBuilder builder, TimeProvider clock)
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
            await foreach (var previous in runs.QueryAsync(TableFilter.Create($"PartitionKey eq {study.Id}"), cancellationToken: ct).ConfigureAwait(false))
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
                using var content = new MemoryStream(Encoding.UTF8.GetBytes(file.Content));
                await container.UploadAsync($"{study.Id}/{folder}/{file.Name}", content, new BlobUploadOptions { ContentType = file.ContentType }, ct).ConfigureAwait(false);
            }
        }
        await runs.UpsertEntityAsync(new TableEntity(study.Id, runId)
        {
            ["ResponseCount"] = responses.Count,
            ["LastSubmittedAt"] = lastSubmitted,
            ["GeneratedAt"] = now,
        }, TableUpdateMode.Replace, ct).ConfigureAwait(false);
        return runId;
    }

    /// <summary>A study's stored responses.</summary>
    public async Task<IReadOnlyList<StoredResponse>> ReadResponsesAsync(string studyId, CancellationToken ct)
    {
        var list = new List<StoredResponse>();
        var table = tables.GetTableClient(StorageNames.ResponsesTable);
        await foreach (var e in table.QueryAsync(TableFilter.Create($"PartitionKey eq {studyId}"), cancellationToken: ct).ConfigureAwait(false))
        {
            list.Add(new StoredResponse(
                e.PartitionKey, e.RowKey, e.GetString("SiteId") ?? "", e.GetString("DyadId") ?? "", e.GetInt32("Meeting") ?? 0,
                e.GetString("RaterRole") ?? "", [.. Enumerable.Range(1, 12).Select(i => e.GetInt32($"Item{i:00}") ?? 0)],
                e.GetDouble("Goal") ?? double.NaN, e.GetDouble("Task") ?? double.NaN, e.GetDouble("Bond") ?? double.NaN,
                e.GetDouble("Global") ?? double.NaN, e.GetDateTimeOffset("SubmittedAt") ?? DateTimeOffset.MinValue));
        }
        return list;
    }
}
