using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Tests.Dashboard;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.Functions.Tests.Studies;

namespace AlliancePipeline.Functions.Tests.Clock;

/// <summary>
/// Moving the app's clock (a local rehearsal of a season) never locks anyone out: keys are issued, checked and expire on
/// real time, while the study's schedule follows the app clock.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ClockAndKeysTests(AzuriteFixture azurite)
{
    private static Task<TestApp> StartAsync(AzuriteFixture azurite) =>
        TestApp.StartAsync(azurite, values => values["AlliancePipeline:Clock:Adjustable"] = "true");

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> SetAsync(HttpClient client, string to)
    {
        using var response = await client.PutAsJsonAsync("/api/manage/clock", new { now = to });
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
    }

    [Theory]
    [InlineData("2199-01-01T09:00:00Z")]   // far past every key's expiry
    [InlineData("2000-01-01T09:00:00Z")]   // before every key was issued
    public async Task The_admin_and_a_site_key_keep_working_wherever_the_app_clock_is_set_and_the_clock_can_be_set_back(string to)
    {
        await using var app = await StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("clock");
        var keys = await DashboardSeed.SeedAsync(azurite.Tables, study, AzuriteFixture.UniqueName("other"));

        var (status, body) = await SetAsync(app.AdminClient, to);
        Assert.Equal(HttpStatusCode.OK, status);
        var set = DateTimeOffset.Parse(to, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(body!["now"]!.GetValue<DateTimeOffset>(), set, set.AddMinutes(1)); // the clock runs on from there

        // The clock route itself, and a key issued now through the API, at the moved clock.
        using (var read = await app.AdminClient.GetAsync("/api/manage/clock"))
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using (var north = new HttpClient { BaseAddress = app.Client.BaseAddress })
        {
            north.DefaultRequestHeaders.Authorization = new("Bearer", keys.North);
            using var dashboard = await north.GetAsync($"/api/studies/{study}/completion?site={DashboardSeed.North}");
            Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        }
        using (var issue = await app.AdminClient.PostAsJsonAsync("/api/keys", new { role = "study", studyId = study, label = "issued at a moved clock", validDays = 1 }))
        {
            Assert.Equal(HttpStatusCode.Created, issue.StatusCode);
            var info = JsonNode.Parse(await issue.Content.ReadAsStringAsync())!["info"]!;
            Assert.Equal("active", info["state"]!.GetValue<string>());
            Assert.InRange(info["expiresAt"]!.GetValue<DateTimeOffset>(), DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25)); // a day of real time
        }

        // A key expired in real time stays refused, whatever the app clock says.
        using (var expired = new HttpClient { BaseAddress = app.Client.BaseAddress })
        {
            expired.DefaultRequestHeaders.Authorization = new("Bearer", keys.NorthExpired);
            using var refused = await expired.GetAsync($"/api/studies/{study}/completion?site={DashboardSeed.North}");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        (status, _) = await SetAsync(app.AdminClient, "2026-03-01T09:00:00Z");
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task A_timer_run_on_demand_is_written_to_the_study_s_audit_trail_with_who_ran_it_and_what_it_did()
    {
        await using var app = await StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("timerrun");
        await app.ApplyStudyAsync(study, StudyFiles.Example(study));

        foreach (var timer in new[] { "reminders", "recluster" })
        {
            using var run = await app.AdminClient.PostAsync($"/api/manage/studies/{study}/run/{timer}", null);
            Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        }

        var rows = new List<AuditEntity>();
        await foreach (var row in azurite.Tables.GetTableClient(StorageNames.AuditTable).QueryAsync<AuditEntity>(e => e.PartitionKey == study && e.Action == "timer.run"))
            rows.Add(row);
        Assert.Equal(["recluster", "reminders"], rows.Select(r => r.Subject).Order());
        Assert.All(rows, r => Assert.StartsWith("key:", r.Actor, StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Subject == "reminders" && r.Details.Contains("invitations", StringComparison.Ordinal) && r.Details.Contains("run on demand at the app's clock", StringComparison.Ordinal));
    }
}
