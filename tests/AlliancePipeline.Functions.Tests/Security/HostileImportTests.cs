using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.Functions.Tests.Studies;
using Xunit.Abstractions;

namespace AlliancePipeline.Functions.Tests.Security;

/// <summary>
/// Issue 17, findings 4 and 6: a CSV import of bad lines as large as the request may be answers the first 100 errors and
/// a count of the rest, in a small answer; dates far from the study's years are refused with a 400 naming the date,
/// never a 500, through every route that takes one.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class HostileImportTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private static async Task<string> ApplyAsync(TestApp app)
    {
        var study = AzuriteFixture.UniqueName("hostile");
        using var put = await app.AdminClient.PutAsync($"/api/manage/studies/{study}", new StringContent(StudyFiles.Example(study), Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return study;
    }

    [Theory]
    [InlineData("outcomes", "dyad,employed,date\n", "D-X,maybe,someday\n")]
    [InlineData("meetings", "dyad,meeting,date\n", "D-X,first,someday\n")]
    public async Task A_2_MiB_import_of_bad_lines_answers_the_first_100_errors_and_a_count(string route, string header, string line)
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = await ApplyAsync(app);
        using var north = await app.ClientWithKeyAsync(AccessScope.ForSite(study, "site-north"));
        var lines = ((2 * 1024 * 1024) - header.Length) / line.Length;
        var csv = new StringBuilder(header).Insert(header.Length, line, lines).ToString();
        Assert.True(Encoding.UTF8.GetByteCount(csv) <= 2 * 1024 * 1024);

        var allocated = GC.GetTotalAllocatedBytes();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var response = await north.PostAsync($"/api/studies/{study}/{route}", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var text = await response.Content.ReadAsStringAsync();
        watch.Stop();
        var allocatedMb = (GC.GetTotalAllocatedBytes() - allocated) / (1024.0 * 1024.0);
        var figures = $"{lines} lines: {text.Length:N0} characters answered in {watch.ElapsedMilliseconds} ms, {allocatedMb:F0} MB allocated";

        output.WriteLine(figures);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(text.Length < 32 * 1024, figures);
        var problem = JsonNode.Parse(text)!;
        var errors = problem["errors"]!.AsArray();
        Assert.Equal(100, errors.Count);
        Assert.Equal(2, errors[0]!["line"]!.GetValue<int>());
        Assert.Equal(3 * lines, problem["errorCount"]!.GetValue<int>()); // three problems a line
        Assert.Contains($"{lines} line(s) refused", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("the first 100", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(allocatedMb < 600, figures);
    }

    [Theory]
    [InlineData("9999-12-31")]
    [InlineData("2199-01-01")]
    [InlineData("2037-01-13")] // more than ten years after d-001's enrolment on 2026-01-12
    public async Task A_date_far_beyond_the_study_s_years_is_a_400_naming_the_date_on_every_route(string date)
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = await ApplyAsync(app);
        foreach (var (method, path, contentType, body) in new[]
        {
            (HttpMethod.Put, "dyads/d-001/meetings/1", "application/json", $"{{\"date\":\"{date}\"}}"),
            (HttpMethod.Put, "dyads/d-001/outcome", "application/json", $"{{\"employed\":true,\"date\":\"{date}\"}}"),
            (HttpMethod.Post, "meetings", "text/csv", $"dyad,meeting,date\nd-001,1,{date}\n"),
            (HttpMethod.Post, "outcomes", "text/csv", $"dyad,employed,date\nd-001,yes,{date}\n"),
        })
        {
            using var request = new HttpRequestMessage(method, $"/api/studies/{study}/{path}") { Content = new StringContent(body, Encoding.UTF8, contentType) };
            using var response = await app.AdminClient.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path} {date}: {(int)response.StatusCode} {text}");
            Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            var detail = JsonNode.Parse(text)!["detail"]!.GetValue<string>();
            Assert.Contains($"date {date}", detail, StringComparison.Ordinal);
            Assert.Contains("2036-01-12", detail, StringComparison.Ordinal); // the last day it may be
        }
    }

    [Fact]
    public async Task Dates_within_the_dyad_s_years_are_still_taken()
    {
        // On a day after the last one, since a job is recorded once it has started (a job date after the day the outcome
        // is recorded is refused).
        await using var app = await TestApp.StartAsync(azurite, clock: new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2036, 2, 1, 9, 0, 0, TimeSpan.Zero)));
        var study = await ApplyAsync(app);
        using (var meeting = await app.AdminClient.PutAsync($"/api/studies/{study}/dyads/d-001/meetings/3", new StringContent("{\"date\":\"2036-01-12\"}", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.OK, meeting.StatusCode);
        using (var outcome = await app.AdminClient.PutAsync($"/api/studies/{study}/dyads/d-001/outcome", new StringContent("{\"employed\":true,\"date\":\"2036-01-12\"}", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.OK, outcome.StatusCode);
    }
}
