using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AlliancePipeline.Client;
using AlliancePipeline.Contracts.Api;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.LocalHost;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;

namespace AlliancePipeline.Demo;

/// <summary>How to run the demo.</summary>
public sealed record DemoOptions
{
    /// <summary>The worker's build output (or the published worker).</summary>
    public required string ScriptRoot { get; init; }
    /// <summary>Where the demo writes its files (the study file, the report, demo.json, the host's log).</summary>
    public required string OutputFolder { get; init; }
    /// <summary>How many dyads (at least 12).</summary>
    public int Dyads { get; init; } = 40;
    /// <summary>The host's HTTP port (0: a free one).</summary>
    public int HttpPort { get; init; } = 7071;
    /// <summary>Whether to start Azurite and MailDev when nothing answers on their ports.</summary>
    public bool StartEmulators { get; init; } = true;
    /// <summary>MailDev's SMTP port.</summary>
    public int MailDevSmtpPort { get; init; } = 1025;
    /// <summary>MailDev's web port.</summary>
    public int MailDevWebPort { get; init; } = 1080;
    /// <summary>Settings that win over the worker's <c>local.settings.json</c> (tests point storage at their Azurite).</summary>
    public IReadOnlyDictionary<string, string?> SettingOverrides { get; init; } = new Dictionary<string, string?>();
    /// <summary>Simulated days per step of the clock.</summary>
    public int StepDays { get; init; } = 2;
    /// <summary>Where progress lines go.</summary>
    public TextWriter Progress { get; init; } = TextWriter.Null;
}

/// <summary>What the demo produced, and where to look.</summary>
public sealed record DemoResult(
    string StudyId,
    string ReportUrl,
    string LocalReport,
    string AdminDashboardUrl,
    string SiteDashboardUrl,
    string SiteId,
    string MailDevUrl,
    string AdminKey,
    string ResearcherKey,
    string SiteKey,
    string Summary,
    int Invitations,
    int Reminders,
    int Answered,
    int Mails,
    int OpenInvitations,
    string StudyFile,
    string HostLog,
    TimeSpan Elapsed);

/// <summary>
/// The demo, end to end on the embedded default: starts the local host (Azurite, MailDev, the function app with an
/// adjustable clock), writes a first admin key into storage, applies the demo study file through the API, then plays
/// nine weeks in steps: the app's <c>Reminders</c> sends invitations and reminders, which the demo reads from MailDev
/// and answers through the real questionnaire form as raters would (most at once, some only after a reminder, some
/// never); then it records outcomes (CSV import), runs <c>Recluster</c> and the report mail, issues a researcher key and
/// a site coordinator's key, and says where to look.
/// </summary>
public sealed class DemoRun(DemoOptions options)
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();

    /// <summary>Runs the demo; the host is returned running (the caller stops it, or keeps it up to explore).</summary>
    public async Task<(DemoResult Result, FunctionsLocalHost Host)> RunAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(options.OutputFolder);
        var hostLog = Path.Combine(options.OutputFolder, "host.log");
        Say($"Starting the local host on port {options.HttpPort}: Azurite and MailDev (when nothing answers on their ports), then the function app. Its log: {hostLog}");
        var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FileLoggerProvider(hostLog)).SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning).AddFilter("Azure", LogLevel.Warning).AddFilter("Grpc", LogLevel.Warning));
        var hostOptions = new LocalHostOptions
        {
            ScriptRoot = options.ScriptRoot,
            HttpPort = options.HttpPort,
            StartEmulators = options.StartEmulators,
            MailDevSmtpPort = options.MailDevSmtpPort,
            MailDevWebPort = options.MailDevWebPort,
            LoggerFactory = loggerFactory,
        };
        hostOptions.SettingOverrides["AlliancePipeline__Clock__Adjustable"] = "true";
        hostOptions.SettingOverrides["AlliancePipeline__Smtp__Host"] = "127.0.0.1";
        hostOptions.SettingOverrides["AlliancePipeline__Smtp__Port"] = options.MailDevSmtpPort.ToString(CultureInfo.InvariantCulture);
        hostOptions.SettingOverrides["AlliancePipeline__Smtp__Security"] = "none";
        hostOptions.SettingOverrides["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.250";
        hostOptions.SettingOverrides["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:01";
        if (options.HttpPort > 0) hostOptions.SettingOverrides["AlliancePipeline__PublicBaseUrl"] = $"http://localhost:{options.HttpPort}";
        if (!File.Exists(Path.Combine(options.ScriptRoot, "local.settings.json")))
        {
            // A published worker has no local.settings.json: the embedded default's settings, with a link signing key
            // made on the first run and kept beside the demo's output.
            foreach (var (key, value) in EmbeddedDefaults(options.OutputFolder)) hostOptions.SettingOverrides.TryAdd(key, value);
        }
        foreach (var (key, value) in options.SettingOverrides) hostOptions.SettingOverrides[key] = value;

        var host = await FunctionsLocalHost.StartAsync(hostOptions, ct).ConfigureAwait(false);
        try
        {
            var result = await PlayAsync(host, hostLog, ct).ConfigureAwait(false);
            return (result, host);
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<DemoResult> PlayAsync(FunctionsLocalHost host, string hostLog, CancellationToken ct)
    {
        Say($"The function app runs at {host.BaseAddress} ({host.Functions.Count} functions).");
        var storage = host.StorageConnectionString ?? throw new InvalidOperationException("The host has no storage connection.");
        var tables = new TableServiceClient(storage);
        await tables.CreateTableIfNotExistsAsync(StorageNames.AccessKeysTable, ct).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        var admin = (await AccessKeyWriter.IssueAsync(tables.GetTableClient(StorageNames.AccessKeysTable), tables.GetTableClient(StorageNames.AuditTable),
            AccessScope.Admin, "demo admin", now.AddDays(30), "cli", now, ct).ConfigureAwait(false)).Key;
        using var api = new AllianceApi(host.BaseAddress, admin);
        using var forms = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = host.BaseAddress };
        using var inbox = new MailDevInbox(new Uri($"http://127.0.0.1:{options.MailDevWebPort}/"));

        // The app's clock starts on the day before the first enrolment: the study is applied then, and played from there.
        await SetClockAsync(api, DemoStudyFile.FirstEnrolment.AddDays(-1), ct).ConfigureAwait(false);

        // The study file, kept beside the report so it can be read and applied again.
        var text = DemoStudyFile.Text(options.Dyads);
        var studyFile = Path.Combine(options.OutputFolder, "demo-study.yaml");
        await File.WriteAllTextAsync(studyFile, text, ct).ConfigureAwait(false);
        var applied = await api.SendAsync(HttpMethod.Put, $"api/manage/studies/{DemoStudyFile.StudyId}",
            new StringContent(new StudySource { Source = "demo-study.yaml", Text = text }.ToJson(), Encoding.UTF8, StudySource.MediaType), ct).ConfigureAwait(false);
        if (!applied.Succeeded) throw new DemoException($"the app refused the demo study: {applied.Problem()}");
        Say($"Applied the demo study ({options.Dyads} dyads at 3 sites, 6 practitioners, clients rating in a third of the dyads, and {DemoStudyFile.LateDyads} dyads enrolled on the last day): {applied.Read<StudyApplyReport>().Summary}");

        // Play the weeks: each step moves the app's clock, runs Reminders, lets SendEmail deliver, and answers what came.
        var answered = new HashSet<string>(StringComparer.Ordinal);
        int invitations = 0, reminders = 0, mails = 0;
        var open = new HashSet<string>(StringComparer.Ordinal);
        var practitionerForm = InstrumentCatalog.Shipped.Get("wai-s-practitioner");
        var clientForm = InstrumentCatalog.Shipped.Get("wai-s-client");
        var last = DemoStudyFile.LastDay;
        var outbox = new QueueClient(storage, StorageNames.OutboxQueue);
        var responsesQueue = new QueueClient(storage, StorageNames.ResponsesQueue);
        Say($"Playing {last.DayNumber - DemoStudyFile.FirstEnrolment.DayNumber} days from {DemoStudyFile.FirstEnrolment:yyyy-MM-dd} on the app's clock, {options.StepDays} days a step: invitations, answers through the form, reminders, digests.");
        // The last day is always played: the late dyads are enrolled and invited then.
        for (var day = DemoStudyFile.FirstEnrolment; day <= last; day = day == last ? day.AddDays(1) : Min(day.AddDays(options.StepDays), last))
        {
            await SetClockAsync(api, day, ct).ConfigureAwait(false);
            var run = await host.InvokeAsync("Reminders", null, ct).ConfigureAwait(false);
            if (!run.Succeeded) throw new DemoException($"Reminders failed on {day:yyyy-MM-dd}: {run.ExceptionMessage}");
            await DrainAsync(outbox, ct).ConfigureAwait(false);
            foreach (var mail in await WaitForMailsAsync(inbox, ct).ConfigureAwait(false))
            {
                mails++;
                if (ParseMailId(mail.MailId) is not { } about) continue;
                if (about.Kind == "invitation") invitations++;
                else reminders++;
                if (DemoStudyFile.IsLate(about.Dyad, options.Dyads)) open.Add(about.AssessmentId);
                if (answered.Contains(about.AssessmentId) || DemoStudyFile.IsLate(about.Dyad, options.Dyads) || !Answers(about) || mail.QuestionnaireLink is not { } link) continue;
                var form = about.Role == "client" ? clientForm : practitionerForm;
                if (await AnswerAsync(forms, link, new DemoAnswers(form).For(about.Dyad, options.Dyads, about.Meeting, about.Role), ct).ConfigureAwait(false))
                    answered.Add(about.AssessmentId);
            }
            await DrainAsync(responsesQueue, ct).ConfigureAwait(false);
            await DrainAsync(outbox, ct).ConfigureAwait(false);
        }
        Say($"Raters answered {answered.Count} forms through their links; the app sent {invitations} invitations and {reminders} reminders ({mails} mails so far, digests and alerts included).");

        // Outcomes at six months, recorded by CSV import on the app's clock six months after the last enrolment: a job is
        // recorded once it has started (a job date after the day the outcome is recorded is refused).
        await SetClockAsync(api, DemoStudyFile.LastDay.AddDays(182), ct).ConfigureAwait(false);
        var outcomes = new StringBuilder("dyad,employed,date\n");
        for (var n = 1; n <= options.Dyads; n++)
        {
            if (DemoStudyFile.Withdrawn(n, options.Dyads)) continue;
            var pattern = DemoAnswers.PatternOf(n, options.Dyads);
            var chance = pattern switch { "SHA" => 80, "SLA" => 70, _ => 33 };
            var employed = (n * 37 + 11) % 100 < chance;
            // A job is recorded once it started: not after the app's today (the last day played).
            var job = DateOnly.FromDayNumber(Math.Min(DemoStudyFile.Enrolled(n, options.Dyads).AddDays(40 + (n * 13 % 120)).DayNumber, DemoStudyFile.LastDay.DayNumber));
            outcomes.Append(CultureInfo.InvariantCulture, $"{DemoStudyFile.Dyad(n)},{(employed ? "yes" : "no")},{(employed ? job.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "")}\n");
        }
        var imported = await api.SendAsync(HttpMethod.Post, $"api/studies/{DemoStudyFile.StudyId}/outcomes", new StringContent(outcomes.ToString(), Encoding.UTF8, "text/csv"), ct).ConfigureAwait(false);
        if (!imported.Succeeded) throw new DemoException($"the outcomes were refused: {imported.Problem()}");
        Say($"Recorded {imported.Json!["imported"]} employment outcomes (CSV import).");

        // The report: Recluster now, then the report mail.
        Say("Running Recluster: trajectories, Ward clustering as R's ward.D2, patterns, the outcome table, the report set.");
        var recluster = await host.InvokeAsync("Recluster", null, ct).ConfigureAwait(false);
        if (!recluster.Succeeded) throw new DemoException($"Recluster failed: {recluster.ExceptionMessage}");
        if (host.Functions.Any(f => f.Name == "ReportMails"))
        {
            await host.InvokeAsync("ReportMails", null, ct).ConfigureAwait(false);
            await DrainAsync(outbox, ct).ConfigureAwait(false);
        }

        // Back to the last day played: the invitations still open were sent then, and a newcomer answering one from
        // MailDev answers on that day (six months on, their links would have expired).
        await SetClockAsync(api, DemoStudyFile.LastDay, ct).ConfigureAwait(false);

        var researcher = await IssueKeyAsync(api, "researcher", null, "demo researcher", ct).ConfigureAwait(false);
        var site = DemoStudyFile.Sites[0].Id;
        var siteKey = await IssueKeyAsync(api, "site", site, "demo coordinator, north", ct).ConfigureAwait(false);
        var blobs = new BlobServiceClient(storage).GetBlobContainerClient(StorageNames.ReportsContainer);
        var report = (await blobs.GetBlobClient($"{DemoStudyFile.StudyId}/latest/report.html").DownloadContentAsync(ct).ConfigureAwait(false)).Value.Content.ToString();
        var localReport = Path.GetFullPath(Path.Combine(options.OutputFolder, "report.html"));
        await File.WriteAllTextAsync(localReport, report, ct).ConfigureAwait(false);
        var clusters = JsonDocument.Parse((await blobs.GetBlobClient($"{DemoStudyFile.StudyId}/latest/clusters.json").DownloadContentAsync(ct).ConfigureAwait(false)).Value.Content.ToString()).RootElement;
        var summary = clusters.TryGetProperty("clusters", out var named) && named.ValueKind == JsonValueKind.Array
            ? $"k = {clusters.GetProperty("k")}: " + string.Join(", ", named.EnumerateArray().Select(c => $"{(c.TryGetProperty("label", out var l) ? l : c.GetProperty("pattern"))} n = {c.GetProperty("n")}"))
            : clusters.TryGetProperty("message", out var message) ? message.GetString() ?? "" : "";

        var baseUrl = host.BaseAddress.AbsoluteUri.TrimEnd('/');
        return new DemoResult(
            DemoStudyFile.StudyId,
            $"{baseUrl}/api/studies/{DemoStudyFile.StudyId}/reports/latest/report.html?key={researcher}",
            localReport,
            $"{baseUrl}/api/studies/{DemoStudyFile.StudyId}/dashboard?key={admin}",
            $"{baseUrl}/api/studies/{DemoStudyFile.StudyId}/dashboard?key={siteKey}",
            site,
            inbox.Page.ToString(),
            admin,
            researcher,
            siteKey,
            summary,
            invitations,
            reminders,
            answered.Count,
            await inbox.CountAsync(ct).ConfigureAwait(false),
            open.Count,
            Path.GetFullPath(studyFile),
            Path.GetFullPath(hostLog),
            _watch.Elapsed);
    }

    /// <summary>
    /// The app's settings on the embedded default (Azurite's well-known development account, MailDev), for a worker that
    /// comes without <c>local.settings.json</c>; the link signing key is random, made once and kept in
    /// <c>{output}/signing-key</c> so a second run's links still verify.
    /// </summary>
    public static IReadOnlyDictionary<string, string> EmbeddedDefaults(string outputFolder)
    {
        var keyFile = Path.Combine(outputFolder, "signing-key");
        if (!File.Exists(keyFile))
            File.WriteAllText(keyFile, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        return new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["LinkSigning__Keys"] = "demo=" + File.ReadAllText(keyFile).Trim(),
            ["LinkSigning__CurrentKeyId"] = "demo",
            ["AlliancePipeline__Storage__CreateResources"] = "true",
            ["AlliancePipeline__Smtp__From"] = "Alliance Pipeline <noreply@demo.example.org>",
        };
    }

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;

    /// <summary>Sets the app's clock to 09:00 UTC on <paramref name="day"/>.</summary>
    private static async Task SetClockAsync(AllianceApi api, DateOnly day, CancellationToken ct)
    {
        var instant = new DateTimeOffset(day.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
        var set = await api.SendJsonAsync(HttpMethod.Put, "api/manage/clock", new { now = instant }, ct).ConfigureAwait(false);
        if (!set.Succeeded) throw new DemoException($"the app's clock could not be set: {set.Problem()}");
    }

    /// <summary>Whether the synthetic rater answers this mail: most at once, some only after a reminder, a few never.</summary>
    public static bool Answers((string Kind, string AssessmentId, int Dyad, int Meeting, string Role) about)
    {
        var (kind, _, dyad, meeting, role) = about;
        if (role == "practitioner")
        {
            if (DemoAnswers.IsMissed(dyad, meeting)) return false;
            return dyad % 5 != 2 || kind == "reminder";
        }
        if (dyad % 7 == 0) return false;
        return dyad % 2 == 1 || kind == "reminder";
    }

    /// <summary>The kind, assessment, dyad number, meeting and role a mail id names, or null for other mails.</summary>
    public static (string Kind, string AssessmentId, int Dyad, int Meeting, string Role)? ParseMailId(string mailId)
    {
        var m = Regex.Match(mailId, "^(invitation|reminder)-((d-(\\d+))-m(\\d+)-(practitioner|client))-v\\d+");
        return m.Success
            ? (m.Groups[1].Value, m.Groups[2].Value, int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[5].Value, CultureInfo.InvariantCulture), m.Groups[6].Value)
            : null;
    }

    /// <summary>Opens the form and posts the answers as a browser does; true when they were taken (or taken before).</summary>
    private static async Task<bool> AnswerAsync(HttpClient forms, Uri link, int[] answers, CancellationToken ct)
    {
        using (var page = await forms.GetAsync(link.PathAndQuery, ct).ConfigureAwait(false))
        {
            if (page.StatusCode == HttpStatusCode.Conflict) return true;
            if (page.StatusCode != HttpStatusCode.OK) return false;
        }
        var body = string.Join('&', answers.Select((a, i) => $"item-{i + 1}={a}"));
        using var post = await forms.PostAsync(link.PathAndQuery, new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"), ct).ConfigureAwait(false);
        return post.StatusCode is HttpStatusCode.SeeOther or HttpStatusCode.Conflict;
    }

    private static async Task<string> IssueKeyAsync(AllianceApi api, string role, string? site, string label, CancellationToken ct)
    {
        var answer = await api.SendJsonAsync(HttpMethod.Post, "api/keys", new { role, studyId = DemoStudyFile.StudyId, siteId = site, label, validDays = 30 }, ct).ConfigureAwait(false);
        if (!answer.Succeeded) throw new DemoException($"a {role} key could not be issued: {answer.Problem()}");
        return answer.Read<IssuedKeyAnswer>().Key;
    }

    /// <summary>Waits until a queue is empty (its messages processed), at most a minute.</summary>
    private static async Task DrainAsync(QueueClient queue, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (DateTime.UtcNow < deadline)
        {
            if (!(await queue.ExistsAsync(ct).ConfigureAwait(false)).Value || (await queue.GetPropertiesAsync(ct).ConfigureAwait(false)).Value.ApproximateMessagesCount == 0) return;
            await Task.Delay(100, ct).ConfigureAwait(false);
        }
        throw new DemoException($"queue {queue.Name} was not emptied within a minute: see the host's log.");
    }

    /// <summary>The mails MailDev caught since the last look, after it has stored what SMTP accepted.</summary>
    private static async Task<IReadOnlyList<CaughtMail>> WaitForMailsAsync(MailDevInbox inbox, CancellationToken ct)
    {
        // MailDev acknowledges SMTP before it stores a mail: look until two looks in a row find nothing new.
        var all = new List<CaughtMail>();
        for (var quiet = 0; quiet < 2;)
        {
            var fresh = await inbox.NewAsync(ct).ConfigureAwait(false);
            all.AddRange(fresh);
            quiet = fresh.Count == 0 ? quiet + 1 : 0;
            if (quiet < 2) await Task.Delay(50, ct).ConfigureAwait(false);
        }
        return all;
    }

    private void Say(string line) => options.Progress.WriteLine($"[{_watch.Elapsed.TotalSeconds,5:0.0} s] {line}");
}

/// <summary>The demo could not go on; the message says why in words.</summary>
public sealed class DemoException(string message) : Exception(message);

/// <summary>Writes log lines to a file (the host's and the worker's, away from the demo's own output).</summary>
public sealed class FileLoggerProvider(string path) : ILoggerProvider
{
    private readonly StreamWriter _writer = new(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate) _writer.Dispose();
    }

    private void Write(string line)
    {
        lock (_gate)
        {
            try
            {
                _writer.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private sealed class FileLogger(FileLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Write($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel,-11} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.Message)}");
    }
}
