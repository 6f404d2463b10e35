using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Scoring;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.Functions.Tests.Reports;
using AngleSharp.Html.Parser;
using Azure.Data.Tables;
using CsvHelper;
using Microsoft.Extensions.DependencyInjection;

namespace AlliancePipeline.Functions.Tests.Studies;

/// <summary>
/// A study whose practitioners answer the study's own instrument, written out in its study file: five items (item 3
/// reverse scored) in two subscales, Agreement and Trust, on a 1–5 scale, the global score in a column named Total.
/// Applied through the admin API; every form served and posted through its questionnaire link; scored by ScoreResponse
/// into <c>Responses</c>; reclustered through the admin API; the report set read back. One answer (dyad d-001, meeting 1)
/// is followed from the form to every file.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OwnInstrumentStudyTests(AzuriteFixture azurite)
{
    private const string InstrumentId = "five-items-practitioner";

    private const string Instrument = """
        {
          "id": "five-items-practitioner", "version": "1.0.0", "raterRole": "practitioner",
          "languages": ["en"], "defaultLanguage": "en",
          "title": { "en": "Working together (five items)" },
          "instructions": { "en": "Think about your work with this client since the last meeting." },
          "scale": { "min": 1, "max": 5, "anchors": [ { "value": 1, "label": { "en": "Never" } }, { "value": 5, "label": { "en": "Always" } } ] },
          "items": [
            { "id": "p1", "text": { "en": "We agree on what matters most." }, "subscale": "agreement", "reverse": false },
            { "id": "p2", "text": { "en": "We agree on the next steps." }, "subscale": "agreement", "reverse": false },
            { "id": "p3", "text": { "en": "We pull in different directions." }, "subscale": "agreement", "reverse": true },
            { "id": "p4", "text": { "en": "My client trusts me." }, "subscale": "trust", "reverse": false },
            { "id": "p5", "text": { "en": "We get along well." }, "subscale": "trust", "reverse": false }
          ],
          "subscales": [
            { "id": "agreement", "column": "Agreement", "label": { "en": "Agreement" }, "score": { "method": "mean", "minAnswered": 3, "prorate": false } },
            { "id": "trust", "column": "Trust", "label": { "en": "Trust" }, "score": { "method": "mean", "minAnswered": 2, "prorate": false } }
          ],
          "global": { "column": "Total", "label": { "en": "Working together" }, "score": { "method": "mean", "minAnswered": 5, "prorate": false } },
          "copyright": { "en": "Written for these tests; free to use." },
          "source": "Alliance Pipeline tests: a short instrument of the study's own."
        }
        """;

    /// <summary>The study file: the instrument written out under the practitioner role, six dyads, three meetings.</summary>
    private static string StudyFile(string studyId) => $$"""
        id: {{studyId}}
        name: A study with its own five-item form
        instruments:
          practitioner: {{Instrument.Replace("\n", "\n    ", StringComparison.Ordinal)}}
        meetings:
          - { number: 1, expectedDay: 0, windowDays: 7 }
          - { number: 2, expectedDay: 14, windowDays: 7 }
          - { number: 3, expectedDay: 28, windowDays: 7 }
        arms:
          - { id: usual, name: Usual support }
        sites:
          - id: site-a
            name: Site A
            coordinators: [ { email: coordinator@example.org, language: en } ]
        raters:
          - { id: p-001, role: practitioner, site: site-a, email: p-001@example.org, language: en }
          - { id: p-002, role: practitioner, site: site-a, email: p-002@example.org, language: en }
        dyads:
        {{string.Join("\n", Enumerable.Range(1, 6).Select(d => $"  - {{ id: d-{d:000}, practitioner: p-00{(d <= 3 ? 1 : 2)}, site: site-a, arm: usual, enrolled: 2026-09-0{d} }}"))}}
        reminders: { firstAfterDays: 3, everyDays: 7, maxCount: 2 }
        """;

    /// <summary>
    /// The answers (as given, items 1..5) of dyad <paramref name="dyad"/> at <paramref name="meeting"/>: d-001..d-003
    /// agree and trust (trust rising after meeting 1), d-004..d-006 less so (agreement falling); no two dyads alike.
    /// </summary>
    private static int[] Answers(int dyad, int meeting) => dyad <= 3
        ? [5, 4, 2, meeting == 1 ? 4 : 5, new[] { 4, 3, 5 }[dyad - 1]]
        : [2, 2, 3 + Math.Min(2, meeting - 1), 2, new[] { 2, 3, 1 }[dyad - 4]];

    private async Task<string> BlobAsync(string name) =>
        (await azurite.Blobs.GetBlobContainerClient(StorageNames.ReportsContainer).GetBlobClient(name).DownloadContentAsync()).Value.Content.ToString();

    private static List<string[]> Csv(string text)
    {
        using var reader = CsvReader.FromText(text, CsvReaderOptions.Default with { HasHeader = false });
        var rows = new List<string[]>();
        while (reader.Read()) rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetString(i)).ToArray());
        return rows;
    }

    private static async Task<string> ApplyAsync(TestApp app, string study)
    {
        using var put = await app.AdminClient.PutAsync($"/api/manage/studies/{study}", new StringContent(StudyFile(study), Encoding.UTF8, "application/yaml"));
        var body = await put.Content.ReadAsStringAsync();
        Assert.True(put.StatusCode == HttpStatusCode.OK, body);
        return body;
    }

    /// <summary>Each assessment of the study with a link the app would mail.</summary>
    private async Task<List<(AssessmentEntity Assessment, string Token)>> LinksAsync(TestApp app, string study)
    {
        var tokens = app.Services.GetRequiredService<ILinkTokens>();
        var links = new List<(AssessmentEntity, string)>();
        await foreach (var a in azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).QueryAsync<AssessmentEntity>(e => e.PartitionKey == study))
            links.Add((a, tokens.Issue(new LinkClaims(study, a.RowKey, a.LinkVersion, DateTimeOffset.UtcNow.AddDays(30)))));
        return links.OrderBy(l => l.Item1.RowKey, StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task A_five_item_two_subscale_instrument_of_the_study_is_served_stored_scored_and_reported_with_its_own_items_and_subscales()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("own");
        Assert.Contains("\"applied\":true", await ApplyAsync(app, study), StringComparison.Ordinal);
        var links = await LinksAsync(app, study);
        Assert.Equal(18, links.Count);
        var (followed, followedToken) = links.Single(l => l.Assessment.RowKey == "d-001-m1-practitioner");

        // The form of the followed answer: the instrument's five statements, each with its scale 1..5.
        using (var get = await app.Client.GetAsync($"/api/q/{followedToken}"))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            var page = new HtmlParser().ParseDocument(await get.Content.ReadAsStringAsync());
            Assert.Contains("Working together (five items)", page.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
            var fieldsets = page.QuerySelectorAll("fieldset");
            Assert.Equal(5, fieldsets.Length);
            Assert.Contains("We pull in different directions.", fieldsets[2].QuerySelector("legend")!.TextContent, StringComparison.Ordinal);
            foreach (var (fieldset, id) in fieldsets.Zip(new[] { "p1", "p2", "p3", "p4", "p5" }))
                Assert.Equal(["1", "2", "3", "4", "5"], fieldset.QuerySelectorAll($"input[type=radio][name=item-{id}]").Select(r => r.GetAttribute("value")));
        }

        // Every form posted through its link as a browser posts it, and its message scored as the queue trigger would.
        var queue = azurite.Queues.GetQueueClient(StorageNames.ResponsesQueue);
        var score = app.Function<ScoreResponse>();
        foreach (var (assessment, token) in links)
        {
            var answers = Answers(int.Parse(assessment.DyadId[2..], CultureInfo.InvariantCulture), assessment.Meeting);
            var form = string.Join('&', answers.Select((v, i) => $"item-p{i + 1}={v}"));
            using var post = await app.Client.PostAsync($"/api/q/{token}", new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"));
            Assert.Equal(HttpStatusCode.SeeOther, post.StatusCode);
            var message = await QueueScan.TakeAsync(queue, t => t.Contains(study, StringComparison.Ordinal) && t.Contains(assessment.RowKey, StringComparison.Ordinal), TimeSpan.FromSeconds(20));
            Assert.NotNull(message);
            Assert.Equal(answers, SubmissionMessage.TryParse(message, out _)!.Items);
            await score.Run(message, Guid.NewGuid().ToString(), 1, default);
        }

        // The followed answer in Responses: Item01..Item05 as answered, the instrument's own score columns, nothing of the WAI's.
        var row = (await azurite.Tables.GetTableClient(StorageNames.ResponsesTable).GetEntityAsync<TableEntity>(study, followed.RowKey)).Value;
        int[] given = [5, 4, 2, 4, 4];
        Assert.Equal(given, Enumerable.Range(1, 5).Select(i => Assert.IsType<int>(row[$"Item{i:00}"])));
        // Item 3 reversed on 1..5 as 6 - 2 = 4: agreement (5 + 4 + 4) / 3, trust (4 + 4) / 2, total (5 + 4 + 4 + 4 + 4) / 5.
        Assert.Equal(13.0 / 3, Assert.IsType<double>(row["Agreement"]));
        Assert.Equal(4.0, Assert.IsType<double>(row["Trust"]));
        Assert.Equal(21.0 / 5, Assert.IsType<double>(row["Total"]));
        Assert.Equal((1, "practitioner", "site-a", "d-001"), (Assert.IsType<int>(row["Meeting"]), row["RaterRole"], row["SiteId"], row["DyadId"]));
        Assert.IsType<DateTimeOffset>(row["SubmittedAt"]);
        Assert.Equal("rater-link", row["Provenance"]); // answered through the rater's own link
        Assert.Equal(["Agreement", "DyadId", "Item01", "Item02", "Item03", "Item04", "Item05", "Meeting", "PartitionKey", "Provenance", "RaterRole", "RowKey", "SiteId", "SubmittedAt", "Total", "Trust"],
            row.Keys.Where(k => k != "Timestamp" && !k.StartsWith("odata.", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        var completed = (await azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).GetEntityAsync<AssessmentEntity>(study, followed.RowKey)).Value;
        Assert.Equal("Completed", completed.Status);

        // Reclustered through the admin API.
        using (var recluster = await app.AdminClient.PostAsync($"/api/manage/studies/{study}/recluster", null))
            Assert.Equal(HttpStatusCode.OK, recluster.StatusCode);

        // responses.csv: the instrument's five items and three scores; the followed row as stored.
        var csv = Csv(await BlobAsync($"{study}/latest/responses.csv"));
        Assert.Equal(["StudyId", "AssessmentId", "SiteId", "DyadId", "ArmId", "Meeting", "RaterRole", "RaterId", "Item01", "Item02", "Item03", "Item04", "Item05",
            "Agreement", "Trust", "Total", "SubmittedAt", "Provenance", "Cluster", "ClusterLabel", "Employed", "JobDate", "DaysToJob"], csv[0]);
        Assert.Equal(19, csv.Count);
        string Cell(string[] r, string column) => r[Array.IndexOf(csv[0], column)];
        var followedRow = csv.Single(r => Cell(r, "AssessmentId") == followed.RowKey);
        Assert.Equal(["5", "4", "2", "4", "4"], Enumerable.Range(1, 5).Select(i => Cell(followedRow, $"Item{i:00}")));
        Assert.Equal(13.0 / 3, double.Parse(Cell(followedRow, "Agreement"), CultureInfo.InvariantCulture));
        Assert.Equal(("4", "4.2", "p-001"), (Cell(followedRow, "Trust"), Cell(followedRow, "Total"), Cell(followedRow, "RaterId")));
        Assert.NotEqual("", Cell(followedRow, "Cluster"));

        // codebook.csv: one row per column of responses.csv, the items and scores described from the instrument.
        var codebook = Csv(await BlobAsync($"{study}/latest/codebook.csv"));
        Assert.Equal(csv[0], codebook.Skip(1).Select(r => r[0]));
        var item3 = codebook.Single(r => r[0] == "Item03");
        Assert.Equal(("answer to item 3 as given (before reverse scoring)", "integer"), (item3[1], item3[2]));
        Assert.Equal($"practitioner ({InstrumentId}): 1–5 (1 = Never; 5 = Always); subscale agreement; reverse scored (min + max − answer) in the scores", item3[3]);
        Assert.Equal(["agreement subscale score (after reverse scoring)", "double", "practitioner: 1–5, mean of its items"], codebook.Single(r => r[0] == "Agreement")[1..]);
        Assert.Equal(["trust subscale score (after reverse scoring)", "double", "practitioner: 1–5, mean of its items"], codebook.Single(r => r[0] == "Trust")[1..]);
        Assert.Equal(["global score: mean of all items after reverse scoring", "double", "practitioner: 1–5, mean of the items"], codebook.Single(r => r[0] == "Total")[1..]);

        // clusters.json: clustered on the Total score, each cluster with its Agreement and Trust means, alpha per subscale.
        var clusters = JsonNode.Parse(await BlobAsync($"{study}/latest/clusters.json"))!;
        Assert.Equal(("clustered", InstrumentId, 18, 6), (clusters["status"]!.GetValue<string>(), clusters["instrumentId"]!.GetValue<string>(),
            clusters["responseCount"]!.GetValue<int>(), clusters["dyads"]!["clustered"]!.GetValue<int>()));
        Assert.Equal([1, 5], clusters["scale"]!.AsArray().Select(v => v!.GetValue<int>()));
        var followedCluster = clusters["clusters"]!.AsArray().Single(c => c!["dyads"]!.AsArray().Any(d => d!.GetValue<string>() == "d-001"))!;
        Assert.Equal(["d-001", "d-002", "d-003"], followedCluster["dyads"]!.AsArray().Select(d => d!.GetValue<string>()));
        Assert.Equal(13.0 / 3, followedCluster["agreement"]!["mean"]!.GetValue<double>(), 12);
        Assert.NotNull(followedCluster["trust"]!["mean"]);
        Assert.Null(followedCluster["goal"]);
        Assert.Equal(["agreement", "trust", "global"], clusters["reliability"]!.AsArray().Select(a => a!["scale"]!.GetValue<string>()));
        Assert.Equal([[1, 2, 3], [4, 5], [1, 2, 3, 4, 5]], clusters["reliability"]!.AsArray().Select(a => a!["items"]!.AsArray().Select(v => v!.GetValue<int>()).ToArray()));

        // report.html: the cluster table's subscale columns are the instrument's, and so are reliability and the methods.
        var report = new HtmlParser().ParseDocument(await BlobAsync($"{study}/latest/report.html"));
        var header = report.QuerySelectorAll("#descriptives thead th").Select(th => th.TextContent).ToArray();
        Assert.Equal(["Overall", "Agreement", "Trust", "Change"], header.SkipWhile(h => h != "Overall").Take(4));
        Assert.DoesNotContain("Goal", header);
        Assert.All(report.QuerySelectorAll("#descriptives tbody tr"), tr => Assert.Equal(header.Length, tr.Children.Length));
        var methods = report.Body!.TextContent;
        Assert.Contains("Working together (five items) (five-items-practitioner, version 1.0.0; 5 items answered on a 1–5 scale)", methods, StringComparison.Ordinal);
        Assert.Contains("Item 3 is reverse scored (min + max − answer). The agreement, trust subscale scores and the global score are the mean of their items", methods, StringComparison.Ordinal);

        // The exports follow the instrument too.
        using var json = await app.AdminClient.GetAsync($"/api/studies/{study}/export?format=json");
        var exported = JsonNode.Parse(await json.Content.ReadAsStringAsync())!["responses"]!.AsArray().Single(r => r!["assessmentId"]!.GetValue<string>() == followed.RowKey)!;
        Assert.Equal(given, exported["items"]!.AsArray().Select(v => v!.GetValue<int>()));
        Assert.Equal((13.0 / 3, 4.0, 4.2), (exported["agreement"]!.GetValue<double>(), exported["trust"]!.GetValue<double>(), exported["total"]!.GetValue<double>()));
        using var fhir = await app.AdminClient.GetAsync($"/api/studies/{study}/export?format=fhir");
        var entries = JsonNode.Parse(await fhir.Content.ReadAsStringAsync())!["entry"]!.AsArray().Select(e => e!["resource"]!).ToArray();
        var questionnaire = entries.Single(e => e["resourceType"]!.GetValue<string>() == "Questionnaire");
        Assert.Equal(["item-1", "item-2", "item-3", "item-4", "item-5", "score-agreement", "score-trust", "score-global"],
            questionnaire["item"]!.AsArray().Select(i => i!["linkId"]!.GetValue<string>()));
        var qr = entries.Single(e => e["resourceType"]!.GetValue<string>() == "QuestionnaireResponse" && e["id"]!.GetValue<string>() == followed.RowKey);
        Assert.Equal(13.0 / 3, qr["item"]!.AsArray().Single(i => i!["linkId"]!.GetValue<string>() == "score-agreement")!["answer"]![0]!["valueDecimal"]!.GetValue<double>(), 12);

        // reproduce.R, run with R on responses.csv, recomputes the scores from the five items and the report's clustering.
        var r = RScript.RunReproduce(await BlobAsync($"{study}/latest/reproduce.R"), await BlobAsync($"{study}/latest/responses.csv"), await BlobAsync($"{study}/latest/clusters.json"), await BlobAsync($"{study}/latest/dyads.csv"));
        Assert.Equal(0.0, r["global_max_abs_diff"]!.GetValue<double>());
        Assert.Equal(clusters["k"]!.GetValue<int>(), r["k"]!.GetValue<int>());
        Assert.Equal(clusters["merge"]!.ToJsonString(), r["merge"]!.ToJsonString());
        Assert.Equal(["agreement", "trust", "global"], r["alpha"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task A_message_whose_answers_do_not_fit_the_study_s_instrument_is_poisoned_with_its_reason()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("ownpoison");
        await ApplyAsync(app, study);
        var id = Guid.NewGuid().ToString();
        var text = new SubmissionMessage { StudyId = study, AssessmentId = "d-002-m1-practitioner", LinkVersion = 1, Items = [.. Enumerable.Repeat(4, 12)], SubmittedAt = DateTimeOffset.UtcNow }.ToJson();
        await app.Function<ScoreResponse>().Run(text, id, 1, default);
        var audit = await azurite.Tables.GetTableClient(StorageNames.AuditTable).GetEntityAsync<TableEntity>("poison-responses", id);
        Assert.Equal($"items has 12 answers; {InstrumentId} has 5 items", audit.Value["Reason"]);
        Assert.False((await azurite.Tables.GetTableClient(StorageNames.ResponsesTable).GetEntityIfExistsAsync<TableEntity>(study, "d-002-m1-practitioner")).HasValue);
    }
}
