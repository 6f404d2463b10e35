using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Functions.Infrastructure.Access;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;

namespace AlliancePipeline.Functions.Tests.Dashboard;

/// <summary>Keys issued for a seeded study, by who holds them.</summary>
public sealed record SeededKeys(string Admin, string Study, string North, string South, string Researcher, string OtherStudy, string NorthExpired, string NorthRevoked);

/// <summary>
/// A study with two sites written straight to storage as the entity docs in <c>Storage/</c> describe them (the study
/// applier writes them in production): <c>site-north</c> ("Northern Clinic") and <c>site-south</c> ("Southern Clinic").
/// Every id and name of the south site contains "south", so a page or JSON for the north site that leaks a south row is
/// caught by looking for that word. Dates are relative to now (the app's clock is real).
/// </summary>
public static class DashboardSeed
{
    /// <summary>The north site.</summary>
    public const string North = "site-north";

    /// <summary>The south site.</summary>
    public const string South = "site-south";

    /// <summary>Writes the study, its sites, 3 + 3 assessments, an open alert per site; returns the study id's keys.</summary>
    public static async Task<SeededKeys> SeedAsync(TableServiceClient tables, string studyId, string otherStudyId)
    {
        var now = DateTimeOffset.UtcNow;
        await tables.GetTableClient(StorageNames.StudiesTable).UpsertEntityAsync(new StudyEntity
        {
            RowKey = studyId,
            Name = "Alliance at work",
            InstrumentId = "wai-s-practitioner",
            Sites = $"{North},{South}",
        });
        await tables.GetTableClient(StorageNames.StudiesTable).UpsertEntityAsync(new StudyEntity
        {
            RowKey = otherStudyId,
            Name = "Another study",
            InstrumentId = "wai-s-practitioner",
            Sites = "site-elsewhere",
        });
        var participants = tables.GetTableClient(StorageNames.ParticipantsTable);
        foreach (var (id, name) in new[] { (North, "Northern Clinic"), (South, "Southern Clinic") })
        {
            await participants.UpsertEntityAsync(new ParticipantEntity
            {
                PartitionKey = studyId,
                RowKey = ParticipantEntity.Key(ParticipantEntity.Kinds.Site, id),
                Kind = ParticipantEntity.Kinds.Site,
                Id = id,
                Name = name,
                Coordinators = "[{\"email\":\"coordinator@example.org\",\"language\":\"en\"}]",
            });
        }

        var assessments = tables.GetTableClient(StorageNames.AssessmentsTable);
        AssessmentEntity Row(string site, string dyad, int meeting, string rater, string arm, string status, int dueInDays, int? answeredDaysAgo, int reminders = 0) => new()
        {
            PartitionKey = studyId,
            RowKey = $"{dyad}-m{meeting}-practitioner",
            SiteId = site,
            DyadId = dyad,
            Meeting = meeting,
            RaterRole = "practitioner",
            RaterId = rater,
            Arm = arm,
            Status = status,
            MeetingDate = now.AddDays(dueInDays - 7),
            DueDate = now.AddDays(dueInDays),
            SubmittedAt = answeredDaysAgo is { } ago ? now.AddDays(-ago) : null,
            RemindersSent = reminders,
            Language = "en",
        };
        foreach (var row in new[]
        {
            Row(North, "d-north-1", 1, "r-north-1", "ips", "Completed", -3, 8),
            Row(North, "d-north-1", 2, "r-north-1", "ips", "Pending", -2, null, reminders: 1),
            Row(North, "d-north-2", 1, "r-north-2", "tvs", "Pending", 5, null),
            Row(South, "d-south-1", 1, "r-south-1", "ips-south", "Completed", -10, 12),
            Row(South, "d-south-1", 2, "r-south-1", "ips-south", "Pending", -5, null, reminders: 2),
            Row(South, "d-south-2", 1, "r-south-2", "tvs-south", "Submitted", -1, 2),
        })
        {
            await assessments.UpsertEntityAsync(row);
        }

        var alerts = tables.GetTableClient(StorageNames.AlertsTable);
        await alerts.UpsertEntityAsync(new AlertEntity
        {
            PartitionKey = studyId,
            RowKey = "d-north-1-m1-practitioner",
            SiteId = North,
            DyadId = "d-north-1",
            RaterId = "r-north-1",
            RaterRole = "practitioner",
            Meeting = 1,
            Kinds = "drop",
            Previous = 6.25,
            Current = 4.5,
            DropThreshold = 1.0,
            RaisedAt = now.AddDays(-8),
        });
        await alerts.UpsertEntityAsync(new AlertEntity
        {
            PartitionKey = studyId,
            RowKey = "d-south-2-m1-practitioner",
            SiteId = South,
            DyadId = "d-south-2",
            RaterId = "r-south-2",
            RaterRole = "practitioner",
            Meeting = 1,
            Kinds = "below",
            Current = 2.5,
            Cutoff = 3.0,
            RaisedAt = now.AddDays(-2),
        });

        var keys = tables.GetTableClient(StorageNames.AccessKeysTable);
        var audit = tables.GetTableClient(StorageNames.AuditTable);
        async Task<string> Issue(AccessScope scope, DateTimeOffset? expiresAt = null, DateTimeOffset? issuedAt = null) =>
            (await AccessKeyWriter.IssueAsync(keys, audit, scope, "test " + scope, expiresAt ?? now.AddDays(30), "test", issuedAt ?? now, default)).Key;
        var revoked = await Issue(AccessScope.ForSite(studyId, North));
        AccessKeyFormat.TryParse(revoked, out var parsed);
        await new AccessKeys(tables, AccessClock.System).RevokeAsync(parsed.KeyId, "test", default);
        return new SeededKeys(
            Admin: await Issue(AccessScope.Admin),
            Study: await Issue(AccessScope.ForStudy(studyId)),
            North: await Issue(AccessScope.ForSite(studyId, North)),
            South: await Issue(AccessScope.ForSite(studyId, South)),
            Researcher: await Issue(AccessScope.ForResearcher(studyId)),
            OtherStudy: await Issue(AccessScope.ForStudy(otherStudyId)),
            NorthExpired: await Issue(AccessScope.ForSite(studyId, North), expiresAt: now.AddMinutes(-1), issuedAt: now.AddDays(-31)),
            NorthRevoked: revoked);
    }

    /// <summary>A request with the key as a bearer token.</summary>
    public static HttpRequestMessage Get(string url, string? key, string accept = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (key is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        request.Headers.Accept.ParseAdd(accept);
        return request;
    }

    /// <summary>Writes a small <c>latest/report.html</c> of <paramref name="studyId"/> (its heading: "The study report"), as Recluster leaves one.</summary>
    public static async Task SeedReportAsync(TestApp app, string studyId)
    {
        var container = app.Services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(StorageNames.ReportsContainer);
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient($"{studyId}/latest/report.html").UploadAsync(
            BinaryData.FromString("<!doctype html><html lang=\"en\"><title>Report</title><h1>The study report</h1></html>"), overwrite: true);
    }

    /// <summary>The name of the cookie a browser keeps its key in.</summary>
    public const string KeyCookie = "__Host-alliance-key";

    /// <summary>A client of <paramref name="app"/> as a browser's requests reach it: no redirect followed, no cookie jar of its own (each request says what it sends).</summary>
    public static HttpClient Browser(TestApp app) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = app.Client.BaseAddress };

    /// <summary>A request as a browser sends it: asking for HTML, with the key cookie holding <paramref name="cookie"/> (none when null) and <paramref name="headers"/>.</summary>
    public static HttpRequestMessage FromBrowser(HttpMethod method, string url, string? cookie, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Accept.ParseAdd("text/html");
        if (cookie is not null) request.Headers.Add("Cookie", $"{KeyCookie}={cookie}");
        foreach (var (name, value) in headers) request.Headers.Add(name, value);
        return request;
    }
}
