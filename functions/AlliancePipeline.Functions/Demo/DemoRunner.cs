using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Functions.Services;
using AlliancePipeline.Functions.Settings;
using AlliancePipeline.Functions.Storage;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Hosting;

namespace AlliancePipeline.Functions.Demo;

/// <summary>
/// The demo study, end to end, when <c>AlliancePipeline__Demo__Enabled</c> is on (locally): seeds a synthetic study
/// (pseudonymous dyad codes, no people), answers its links as raters would — over HTTP through the host at
/// <see cref="AppSettings.PublicBaseUrl"/>, the same path a phone takes — waits until <c>ScoreResponse</c> has stored
/// them, asks the host to run <c>Recluster</c> now (<c>POST /admin/functions/Recluster</c>, which func start and our
/// local host both serve) and logs where the report is with a one-line summary. A restart reuses the study and answers
/// only what is pending.
/// </summary>
public sealed class DemoRunner(
    AppSettings settings,
    StudyTables studies,
    DemoStudySeeder seeder,
    ILinkTokens tokens,
    InstrumentCatalog instruments,
    TableServiceClient tables,
    BlobServiceClient blobs,
    TimeProvider clock,
    ILogger<DemoRunner> log) : BackgroundService
{
    /// <summary>The demo study's id.</summary>
    public const string StudyId = "demo-study";

    private const int Meetings = 3;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            log.LogError("The demo study stopped: {Reason}", e.Message);
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = settings.PublicBaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        await WaitForHostAsync(http, ct).ConfigureAwait(false);

        var dyads = settings.Demo.Dyads;
        if (await studies.FindStudyAsync(StudyId, ct).ConfigureAwait(false) is null)
        {
            await seeder.SeedAsync(StudyId, dyads, Meetings, ct).ConfigureAwait(false);
            log.LogInformation("Demo: seeded study {StudyId} with {Dyads} dyads x {Meetings} meetings.", StudyId, dyads, Meetings);
        }
        var study = (await studies.FindStudyAsync(StudyId, ct).ConfigureAwait(false))!;
        var answers = new DemoAnswers(instruments.Get(study.InstrumentId));
        var assessments = await studies.ListAssessmentsAsync(StudyId, ct).ConfigureAwait(false);

        int posted = 0, expected = 0;
        foreach (var assessment in assessments.OrderBy(a => a.DyadId, StringComparer.Ordinal).ThenBy(a => a.Meeting))
        {
            var dyad = int.Parse(assessment.DyadId.Split('-')[^1], System.Globalization.CultureInfo.InvariantCulture);
            if (DemoAnswers.IsMissed(dyad, assessment.Meeting)) continue;
            expected++;
            if (assessment.IsAnswered) continue;
            var token = tokens.Issue(new LinkClaims(StudyId, assessment.Id, assessment.LinkVersion, clock.GetUtcNow() + settings.LinkLifetime));
            var body = new JsonObject { ["items"] = new JsonArray([.. answers.For(dyad, dyads, assessment.Meeting).Select(v => JsonValue.Create(v))]) };
            using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            using var response = await http.PostAsync($"api/q/{token}", content, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode && response.StatusCode != System.Net.HttpStatusCode.Conflict)
                throw new InvalidOperationException($"The questionnaire answered {(int)response.StatusCode} to the demo's submission for {assessment.Id}.");
            posted++;
        }
        log.LogInformation("Demo: posted {Posted} submissions through the questionnaire links ({Expected} expected in all; a few dyads miss meeting 3).", posted, expected);

        var responses = tables.GetTableClient(StorageNames.ResponsesTable);
        var deadline = clock.GetUtcNow() + Patience;
        int stored;
        while ((stored = await CountAsync(responses, ct).ConfigureAwait(false)) < expected)
        {
            if (clock.GetUtcNow() > deadline) throw new TimeoutException($"Only {stored} of {expected} demo responses were stored within two minutes.");
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
        }

        using (var run = await http.PostAsJsonAsync("admin/functions/Recluster", new JsonObject { ["input"] = "" }, ct).ConfigureAwait(false))
        {
            if (!run.IsSuccessStatusCode) throw new InvalidOperationException($"The host answered {(int)run.StatusCode} when asked to run Recluster.");
        }
        await WaitForRunAsync(stored, ct).ConfigureAwait(false);

        var container = blobs.GetBlobContainerClient(StorageNames.ReportsContainer);
        var path = $"{StudyId}/latest/report.html";
        var clusters = JsonNode.Parse((await container.GetBlobClient($"{StudyId}/latest/clusters.json").DownloadContentAsync(ct).ConfigureAwait(false)).Value.Content.ToString())!;
        var summary = clusters["clusters"] is JsonArray named
            ? $"k = {clusters["k"]}: " + string.Join(", ", named.Select(c => $"{c!["pattern"]} n = {c["n"]}"))
            : clusters["message"]?.GetValue<string>();
        log.LogInformation("Demo: {Stored} responses stored; report at reports/{Path} ({Url}). {Summary}",
            stored, path, $"{container.Uri.ToString().TrimEnd('/')}/{path}", summary);
    }

    /// <summary>Waits until the host routes to this worker's functions (the questionnaire answers a bad link with 404).</summary>
    private async Task WaitForHostAsync(HttpClient http, CancellationToken ct)
    {
        var deadline = clock.GetUtcNow() + Patience;
        while (true)
        {
            try
            {
                using var probe = await http.GetAsync("api/q/demo-probe", ct).ConfigureAwait(false);
                if (probe.StatusCode == System.Net.HttpStatusCode.NotFound && probe.Content.Headers.ContentType?.MediaType == "text/html") return;
            }
            catch (HttpRequestException)
            {
            }
            if (clock.GetUtcNow() > deadline) throw new TimeoutException($"The host at {settings.PublicBaseUrl} did not serve the questionnaire within two minutes.");
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits for a <c>ClusterRuns</c> entry of the demo study that covers <paramref name="responses"/> responses (this run's,
    /// or an earlier one when nothing was new: Recluster then writes nothing).
    /// </summary>
    private async Task WaitForRunAsync(int responses, CancellationToken ct)
    {
        var runs = tables.GetTableClient(StorageNames.ClusterRunsTable);
        var deadline = clock.GetUtcNow() + Patience;
        while (true)
        {
            await foreach (var run in runs.QueryAsync<TableEntity>(e => e.PartitionKey == StudyId, select: ["ResponseCount"], cancellationToken: ct).ConfigureAwait(false))
            {
                if (run.GetInt32("ResponseCount") == responses) return;
            }
            if (clock.GetUtcNow() > deadline) throw new TimeoutException("Recluster wrote no report for the demo study within two minutes.");
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
        }
    }

    private static async Task<int> CountAsync(TableClient responses, CancellationToken ct)
    {
        var n = 0;
        await foreach (var _ in responses.QueryAsync<TableEntity>(e => e.PartitionKey == StudyId, select: ["RowKey"], cancellationToken: ct).ConfigureAwait(false)) n++;
        return n;
    }
}
