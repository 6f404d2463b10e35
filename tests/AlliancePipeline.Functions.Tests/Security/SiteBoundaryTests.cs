using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.Functions.Tests.Studies;

namespace AlliancePipeline.Functions.Tests.Security;

/// <summary>
/// Issue 17, finding 1: a site key learns nothing of another site's dyads through the routes that record about dyads.
/// Another site's dyad and a dyad that does not exist get the same answer, word for word, on every route (CSV imports
/// of outcomes and meeting dates, single meeting dates and outcomes, withdrawals), whatever else the request holds; and
/// no answer carries another site's dyad's enrolment date. The example study: site-north has d-001 and d-002,
/// site-river d-003 (enrolled 2026-01-14) and d-004 (2026-01-21).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SiteBoundaryTests(AzuriteFixture azurite)
{
    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? body, string contentType)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, contentType) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        // What differs between two requests whatever they name: the trace id, when the answer has one.
        if (text.StartsWith('{') && JsonNode.Parse(text) is JsonObject json)
        {
            json.Remove("traceId");
            text = json.ToJsonString();
        }
        return (response.StatusCode, text);
    }

    public static TheoryData<string, string, string, string?> Requests => new()
    {
        // route, method, content type, body with {dyad} for the dyad asked about
        { "outcomes", "POST", "text/csv", "dyad,employed,date\n{dyad},yes,1900-01-01\n" },
        { "outcomes", "POST", "text/csv", "dyad,employed,date\n{dyad},yes,2026-03-01\n" },
        { "outcomes", "POST", "text/csv", "dyad,employed,date\nd-001,no,\n{dyad},no,\nd-002,maybe,\n" },
        { "outcomes", "POST", "text/csv", "dyad,employed,date\n{dyad},no,\n{dyad},no,\n" },
        { "meetings", "POST", "text/csv", "dyad,meeting,date\n{dyad},1,1900-01-01\n" },
        { "meetings", "POST", "text/csv", "dyad,meeting,date\n{dyad},9,2026-02-01\nd-001,1,2026-01-20\n" },
        { "meetings", "POST", "text/csv", "dyad,meeting,date\n{dyad},1,2026-02-01\n{dyad},1,2026-02-01\n" },
        { "dyads/{dyad}/meetings/1", "PUT", "application/json", "{\"date\":\"1900-01-01\"}" },
        { "dyads/{dyad}/meetings/1", "PUT", "application/json", "{\"date\":\"2026-02-01\"}" },
        { "dyads/{dyad}/meetings/9", "PUT", "application/json", "{\"date\":\"2026-02-01\"}" },
        { "dyads/{dyad}/outcome", "PUT", "application/json", "{\"employed\":true,\"date\":\"1900-01-01\"}" },
        { "dyads/{dyad}/outcome", "PUT", "application/json", "{\"employed\":false}" },
        { "dyads/{dyad}/withdraw", "POST", "application/json", null },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Another_site_s_dyad_and_an_unknown_dyad_get_the_same_answer(string route, string method, string contentType, string? body)
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("bound");
        using (var put = await app.AdminClient.PutAsync($"/api/manage/studies/{study}", new StringContent(StudyFiles.Example(study), Encoding.UTF8, "application/yaml")))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using var north = await app.ClientWithKeyAsync(AccessScope.ForSite(study, "site-north"));

        async Task<(HttpStatusCode Status, string Body)> Ask(string dyad) =>
            await SendAsync(north, new HttpMethod(method), $"/api/studies/{study}/{route.Replace("{dyad}", dyad, StringComparison.Ordinal)}",
                body?.Replace("{dyad}", dyad, StringComparison.Ordinal), contentType);

        var theirs = await Ask("d-003");
        var unknown = await Ask("d-404");
        Assert.True(theirs.Status is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{theirs.Status}: {theirs.Body}");
        Assert.Equal(unknown.Status, theirs.Status);
        Assert.Equal(unknown.Body, theirs.Body.Replace("d-003", "d-404", StringComparison.Ordinal));
        Assert.DoesNotContain("2026-01-14", theirs.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("enrolment", theirs.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("site-river", theirs.Body, StringComparison.Ordinal);

        // Nothing was recorded for the other site's dyad.
        var outcomes = new List<OutcomeEntity>();
        await foreach (var row in azurite.Tables.GetTableClient(StorageNames.OutcomesTable).QueryAsync<OutcomeEntity>(e => e.PartitionKey == study)) outcomes.Add(row);
        Assert.DoesNotContain(outcomes, o => o.RowKey == "d-003");
        var d003 = (await azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).GetEntityAsync<AssessmentEntity>(study, "d-003-m1-practitioner")).Value;
        Assert.False(d003.MeetingDateRecorded);
        Assert.Equal("Pending", d003.Status);
    }

    [Fact]
    public async Task A_site_key_s_import_naming_every_dyad_of_the_study_reveals_no_other_site_s_enrolment()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("bound");
        using (var put = await app.AdminClient.PutAsync($"/api/manage/studies/{study}", new StringContent(StudyFiles.Example(study), Encoding.UTF8, "application/yaml")))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using var north = await app.ClientWithKeyAsync(AccessScope.ForSite(study, "site-north"));
        foreach (var (route, csv) in new[]
        {
            ("outcomes", "dyad,employed,date\nd-001,yes,1900-01-01\nd-002,yes,1900-01-01\nd-003,yes,1900-01-01\nd-004,yes,1900-01-01\n"),
            ("meetings", "dyad,meeting,date\nd-001,1,1900-01-01\nd-002,1,1900-01-01\nd-003,1,1900-01-01\nd-004,1,1900-01-01\n"),
        })
        {
            var (status, body) = await SendAsync(north, HttpMethod.Post, $"/api/studies/{study}/{route}", csv, "text/csv");
            Assert.True(status is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{status}: {body}");
            // Its own dyads' enrolment dates may be told; the other site's never.
            Assert.DoesNotContain("2026-01-14", body, StringComparison.Ordinal);
            Assert.DoesNotContain("2026-01-21", body, StringComparison.Ordinal);
            Assert.Contains("d-003", body, StringComparison.Ordinal); // named as the caller wrote it, as not in the study
        }
    }
}
