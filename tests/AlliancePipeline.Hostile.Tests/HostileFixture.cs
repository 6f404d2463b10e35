using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Emulators;
using AlliancePipeline.EndToEnd.Tests;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.LocalHost;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace AlliancePipeline.Hostile.Tests;

/// <summary>
/// The app as it runs: the published worker under the local host on an isolated Azurite and a MailDev of its own, the
/// app's clock adjustable. A study is applied through the API whose study, site and arm names carry HTML and CSV
/// injection and whose addresses are distinctive (to look for them in the logs); keys of every kind are issued; links are
/// made with the app's own signing key. Every request the fixture makes comes from <see cref="GoodAddress"/>, which no
/// test spends guesses from.
/// </summary>
public sealed class HostileFixture : IAsyncLifetime
{
    public const string StudyId = "hostile-study";
    public const string OtherStudyId = "other-study";

    /// <summary>How long a test waits for the app to store, score or log what it was sent.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(35);

    /// <summary>The client address (X-Forwarded-For) of every request made with a good key: never a refused guess.</summary>
    public const string GoodAddress = "198.51.100.10";

    public const string StudyName = "<script>alert('study')</script> \"><img src=x onerror=alert(1)> =HYPERLINK(\"http://evil.example/\",\"x\")";
    public const string SiteAName = "+cmd|' /C calc'!A0 <b>north</b>";
    public const string SiteBName = "@SUM(1+1) \"><svg onload=alert(2)>";
    public const string ArmXName = "=HYPERLINK(\"http://evil.example\") <i>arm</i>";
    public const string ArmYName = "-2+3 <iframe src=//evil.example>";

    /// <summary>Raters' and coordinators' addresses: distinctive, so a log line that carries one is found.</summary>
    public static readonly IReadOnlyDictionary<string, string> Emails = new Dictionary<string, string>
    {
        ["p-a1"] = "pii.rater.a1.7c1f@example.org",
        ["p-b1"] = "=2+5+cmd|pii.b1.7c1f@example.org",
        ["coordinator-a"] = "pii.coordinator.a.7c1f@example.org",
        ["coordinator-b"] = "pii.coordinator.b.7c1f@example.org",
        ["research"] = "pii.research.7c1f@example.org",
    };

    public static readonly string[] SiteADyads = ["d-a1", "d-a2", "d-a3", "d-a4", "d-a5"];
    public static readonly string[] SiteBDyads = ["d-b1", "d-b2", "d-b3", "d-b4"];

    private AzuriteHandle? _azurite;
    private MailDevHandle? _mailDev;
    private ServiceProvider? _services;

    public FunctionsLocalHost Host { get; private set; } = null!;
    public IServiceProvider Services => _services!;
    public AzuriteHandle Azurite => _azurite!;
    public MailDevClient Mails { get; private set; } = null!;

    /// <summary>Every log record of the host and the worker (all categories, Information and up).</summary>
    public FakeLogCollector Log { get; } = new();

    /// <summary>The host's HTTP endpoint.</summary>
    public IPEndPoint Endpoint => new(IPAddress.Loopback, Host.BaseAddress.Port);

    /// <summary>A client that does not follow redirects, from <see cref="GoodAddress"/>, without a key.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>A client presenting the admin key, from <see cref="GoodAddress"/>.</summary>
    public HttpClient Admin { get; private set; } = null!;

    public Dictionary<string, string> Keys { get; } = new(StringComparer.Ordinal);

    public TableServiceClient Tables => Services.GetRequiredService<TableServiceClient>();
    public QueueServiceClient Queues => Services.GetRequiredService<QueueServiceClient>();

    /// <summary>The hostile study file (JSON, which is YAML), as applied; the other study is the same under another id and name.</summary>
    public static string StudyFile(DateOnly enrolled, string studyId = StudyId, string studyName = StudyName)
    {
        var day = enrolled.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        object Dyad(string id, string site, string practitioner, string arm) => new { id, practitioner, site, arm, enrolled = day };
        var study = new
        {
            id = studyId,
            name = studyName,
            instruments = new { practitioner = "wai-s-practitioner" },
            meetings = new[] { new { number = 1, expectedDay = 0, windowDays = 2 }, new { number = 2, expectedDay = 14, windowDays = 2 }, new { number = 3, expectedDay = 28, windowDays = 2 } },
            arms = new[] { new { id = "arm-x", name = ArmXName }, new { id = "arm-y", name = ArmYName } },
            sites = new[]
            {
                new { id = "site-a", name = SiteAName, coordinators = new[] { new { email = Emails["coordinator-a"], language = "en" } } },
                new { id = "site-b", name = SiteBName, coordinators = new[] { new { email = Emails["coordinator-b"], language = "fr" } } },
            },
            raters = new[]
            {
                new { id = "p-a1", role = "practitioner", site = "site-a", email = Emails["p-a1"], language = "en" },
                new { id = "p-b1", role = "practitioner", site = "site-b", email = Emails["p-b1"], language = "fr" },
            },
            dyads = SiteADyads.Select((d, i) => Dyad(d, "site-a", "p-a1", i % 2 == 0 ? "arm-x" : "arm-y"))
                .Concat(SiteBDyads.Select((d, i) => Dyad(d, "site-b", "p-b1", i % 2 == 0 ? "arm-x" : "arm-y"))).ToArray(),
            reminders = new { firstAfterDays = 1, everyDays = 7, maxCount = 2 },
            reports = new { schedule = "0 0 6 * * 1", recipients = new[] { new { email = Emails["research"], language = "en" } } },
            alerts = new { practitioner = new { drop = 1.0, cutoff = 2.0, notifyRater = true } },
            linkLifetimeDays = 60,
        };
        return JsonSerializer.Serialize(study);
    }

    /// <summary>The day the hostile study's dyads were enrolled (the app's day at start).</summary>
    public DateOnly Enrolled { get; private set; }

    public async Task InitializeAsync()
    {
        var ports = EmulatorProcess.FreePorts(3);
        var mailDevStart = MailDev.EnsureRunningAsync(ports[1], ports[2]);
        _azurite = await Emulators.Azurite.EnsureRunningAsync(AzuriteOptions.Isolated());
        _mailDev = await mailDevStart;
        Mails = new MailDevClient(_mailDev.WebAddress);
        var settings = PipelineFixture.Settings(_azurite, ports[0]);
        settings["AlliancePipeline__Smtp__Port"] = _mailDev.SmtpPort.ToString(CultureInfo.InvariantCulture);
        settings["AlliancePipeline__Clock__Adjustable"] = "true";
        Host = await PipelineFixture.StartHostAsync(settings, ports[0], Log, allCategories: true);
        _services = PipelineFixture.AppServices(settings);
        Http = Client(null);

        await Tables.CreateTableIfNotExistsAsync(StorageNames.AccessKeysTable);
        Keys["admin"] = await IssueKeyAsync(AccessScope.Admin, DateTimeOffset.UtcNow.AddDays(30));
        Admin = Client(Keys["admin"]);

        Enrolled = DateOnly.FromDateTime(DateTime.UtcNow);
        await ApplyAsync(StudyId, StudyFile(Enrolled));
        await ApplyAsync(OtherStudyId, StudyFile(Enrolled, OtherStudyId, "Other study"));

        var later = DateTimeOffset.UtcNow.AddDays(30);
        Keys["study"] = await IssueKeyAsync(AccessScope.TryCreate("study", StudyId, null, out _)!, later);
        Keys["site-a"] = await IssueKeyAsync(AccessScope.TryCreate("site", StudyId, "site-a", out _)!, later);
        Keys["site-b"] = await IssueKeyAsync(AccessScope.TryCreate("site", StudyId, "site-b", out _)!, later);
        Keys["researcher"] = await IssueKeyAsync(AccessScope.TryCreate("researcher", StudyId, null, out _)!, later);
        Keys["other-study"] = await IssueKeyAsync(AccessScope.TryCreate("study", OtherStudyId, null, out _)!, later);
        Keys["expired"] = await IssueKeyAsync(AccessScope.Admin, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(-1));
        Keys["revoked"] = await IssueKeyAsync(AccessScope.Admin, later);
        using var revoked = await Admin.DeleteAsync("api/keys/" + Keys["revoked"].Split('_')[1]);
        revoked.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        Admin?.Dispose();
        Mails?.Dispose();
        if (Host is not null) await Host.DisposeAsync();
        if (_services is not null) await _services.DisposeAsync();
        if (_mailDev is not null) await _mailDev.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
    }

    /// <summary>A client from <see cref="GoodAddress"/> that presents <paramref name="key"/> (none when null).</summary>
    public HttpClient Client(string? key, string address = GoodAddress)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Applies a study file through the API with the admin key.</summary>
    public async Task ApplyAsync(string studyId, string text)
    {
        using var put = await Admin.PutAsync($"api/manage/studies/{studyId}", new StringContent(text, Encoding.UTF8, "application/json"));
        Assert.True(put.IsSuccessStatusCode, $"applying {studyId}: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
    }

    /// <summary>Runs a timer or queue function now through the local host's admin API and waits for it to end.</summary>
    public async Task RunFunctionAsync(string name)
    {
        using var run = await Http.PostAsync($"/admin/functions/{name}?wait=true", new StringContent("{\"input\":\"\"}", Encoding.UTF8, "application/json"));
        Assert.True(run.IsSuccessStatusCode, $"running {name}: {(int)run.StatusCode} {await run.Content.ReadAsStringAsync()}");
    }

    /// <summary>The app's clock now.</summary>
    public async Task<DateTimeOffset> AppNowAsync() =>
        JsonNode.Parse(await Admin.GetStringAsync("api/manage/clock"))!["now"]!.GetValue<DateTimeOffset>();

    /// <summary>Moves the app's clock.</summary>
    public async Task SetClockAsync(DateTimeOffset now)
    {
        using var put = await Admin.PutAsync("api/manage/clock", new StringContent(JsonSerializer.Serialize(new { now }), Encoding.UTF8, "application/json"));
        put.EnsureSuccessStatusCode();
    }

    /// <summary>An assessment of the hostile study as stored.</summary>
    public async Task<AssessmentEntity> AssessmentAsync(string assessmentId, string studyId = StudyId) =>
        (await Tables.GetTableClient(StorageNames.AssessmentsTable).GetEntityAsync<AssessmentEntity>(studyId, assessmentId)).Value;

    /// <summary>The questionnaire path of an assessment's current link (<paramref name="expiresAt"/>: 30 days on).</summary>
    public async Task<string> LinkAsync(string assessmentId, DateTimeOffset? expiresAt = null, int? version = null)
    {
        var a = await AssessmentAsync(assessmentId);
        var token = Services.GetRequiredService<ILinkTokens>().Issue(new LinkClaims(StudyId, assessmentId, version ?? a.LinkVersion, expiresAt ?? DateTimeOffset.UtcNow.AddDays(30)));
        return "/api/q/" + token;
    }

    /// <summary>The pause path of an assessment at its first link version.</summary>
    public string PauseLink(string assessmentId) =>
        "/api/reminders/pause/" + Services.GetRequiredService<PauseLinks>().Issue(StudyId, assessmentId, 1, DateTimeOffset.UtcNow.AddDays(30));

    /// <summary>Issues a key straight into storage (as the CLI's bootstrap does).</summary>
    public async Task<string> IssueKeyAsync(AccessScope scope, DateTimeOffset expiresAt, DateTimeOffset? now = null) =>
        (await AccessKeyWriter.IssueAsync(Tables.GetTableClient(StorageNames.AccessKeysTable), Tables.GetTableClient(StorageNames.AuditTable),
            scope, "hostile tests " + scope.Role, expiresAt, "test", now ?? DateTimeOffset.UtcNow, default)).Key;

    /// <summary>How many messages the <c>responses</c> queue and its poison twin hold (visible or not: approximate count).</summary>
    public async Task<(int Responses, int Poison)> QueueCountsAsync()
    {
        var responses = await Queues.GetQueueClient(StorageNames.ResponsesQueue).GetPropertiesAsync();
        var poison = Queues.GetQueueClient(StorageNames.ResponsesQueue + "-poison");
        var poisoned = (await poison.ExistsAsync()).Value ? (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount : 0;
        return (responses.Value.ApproximateMessagesCount, poisoned);
    }
}

[CollectionDefinition(Name)]
public sealed class HostileCollection : ICollectionFixture<HostileFixture>
{
    public const string Name = "Hostile";
}
