using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.LocalDriver;
using AlliancePipeline.Functions.Services;
using AlliancePipeline.Functions.Settings;
using AlliancePipeline.Storage.Blobs;
using AlliancePipeline.Storage.Common;
using AlliancePipeline.Storage.Tables;

namespace AlliancePipeline.Functions.Demo;

/// <summary>
/// The demo study, end to end, when <c>AlliancePipeline__Demo__Enabled</c> is on (local driver only): seeds a synthetic
/// study (pseudonymous dyad codes, no people), answers its links as raters would — over HTTP through the driver, the same
/// path a phone takes — waits until scoring has stored them, runs <c>Recluster</c> through the driver's admin endpoint
/// and logs where the report is with a one-line summary. A restart reuses the study and answers only what is pending.
/// </summary>
public sealed class DemoRunner(
    AppSettings settings,
    LocalDriverHost driver,
    StudyTables studies,
    DemoStudySeeder seeder,
    ILinkTokens tokens,
    InstrumentCatalog instruments,
    ITableServiceClient tables,
    IBlobServiceClient blobs,
    StorageAccount account,
    TimeProvider clock,
    ILogger<DemoRunner> log) : BackgroundService
{
    /// <summary>The demo study's id.</summary>
    public const string StudyId = "demo-study";

    private const int Meetings = 3;
    private readonly TaskCompletionSource<string> _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the report's blob path when the demo has written it.</summary>
    public Task<string> Completed => _completed.Task;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await driver.Started.WaitAsync(stoppingToken).ConfigureAwait(false);
            _completed.TrySetResult(await RunAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _completed.TrySetCanceled(stoppingToken);
        }
        catch (Exception e)
        {
            log.LogError(e, "The demo study stopped: {Reason}", e.Message);
            _completed.TrySetException(e);
        }
    }

    private async Task<string> RunAsync(CancellationToken ct)
    {
        var dyads = settings.Demo.Dyads;
        if (await studies.FindStudyAsync(StudyId, ct).ConfigureAwait(false) is null)
        {
            await seeder.SeedAsync(StudyId, dyads, Meetings, ct).ConfigureAwait(false);
            log.LogInformation("Demo: seeded study {StudyId} with {Dyads} dyads x {Meetings} meetings.", StudyId, dyads, Meetings);
        }
        var study = (await studies.FindStudyAsync(StudyId, ct).ConfigureAwait(false))!;
        var answers = new DemoAnswers(instruments.Get(study.InstrumentId));
        var assessments = await studies.ListAssessmentsAsync(StudyId, ct).ConfigureAwait(false);
        using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{settings.LocalDriver.Port}") };

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
            using var response = await http.PostAsync($"/api/q/{token}", content, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode && response.StatusCode != System.Net.HttpStatusCode.Conflict)
                throw new InvalidOperationException($"The questionnaire answered {(int)response.StatusCode} to the demo's submission for {assessment.Id}.");
            posted++;
        }
        log.LogInformation("Demo: posted {Posted} submissions through the questionnaire links ({Expected} expected in all; a few dyads miss meeting 3).", posted, expected);

        var responses = tables.GetTableClient(StorageNames.ResponsesTable);
        var deadline = clock.GetUtcNow() + TimeSpan.FromMinutes(2);
        int stored;
        while ((stored = await CountAsync(responses, ct).ConfigureAwait(false)) < expected)
        {
            if (clock.GetUtcNow() > deadline) throw new TimeoutException($"Only {stored} of {expected} demo responses were stored within two minutes.");
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
        }

        using (var run = await http.PostAsJsonAsync("/admin/functions/Recluster", new JsonObject(), ct).ConfigureAwait(false))
        {
            if (!run.IsSuccessStatusCode) throw new InvalidOperationException($"Recluster answered {(int)run.StatusCode}.");
        }
        var container = blobs.GetBlobContainerClient(StorageNames.ReportsContainer);
        var path = $"{StudyId}/latest/report.html";
        var clusters = JsonNode.Parse((await container.DownloadContentAsync($"{StudyId}/latest/clusters.json", ct).ConfigureAwait(false)).Value.Content.ToString())!;
        var summary = clusters["clusters"] is JsonArray named
            ? $"k = {clusters["k"]}: " + string.Join(", ", named.Select(c => $"{c!["pattern"]} n = {c["n"]}"))
            : clusters["message"]?.GetValue<string>();
        log.LogInformation("Demo: {Stored} responses stored; report at reports/{Path} ({Url}). {Summary}",
            stored, path, $"{account.BlobEndpoint.ToString().TrimEnd('/')}/{StorageNames.ReportsContainer}/{path}", summary);
        return path;
    }

    private static async Task<int> CountAsync(ITableClient responses, CancellationToken ct)
    {
        var n = 0;
        await foreach (var _ in responses.QueryAsync(TableFilter.Create($"PartitionKey eq {StudyId}"), select: ["RowKey"], cancellationToken: ct).ConfigureAwait(false)) n++;
        return n;
    }
}
