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
using AlliancePipeline.Emulators;
using AlliancePipeline.EndToEnd.Tests.Season;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.LocalHost;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Xunit.Abstractions;

namespace AlliancePipeline.EndToEnd.Tests;

/// <summary>
/// Issue 16 item 7: a six-month, three-site study of 102 dyads played on the app's clock against the published worker
/// under the local host, Azurite and MailDev, one step per simulated day (clock, the study's <c>Reminders</c>; nightly
/// <c>Recluster</c> on Mondays and Thursdays; <c>ReportMails</c> on Mondays), with a coordinator's events (late and
/// corrected meeting dates, reissues after exhausted reminders, a practitioner replaced and an address corrected in the
/// study file, a meeting removed, withdrawals and reinstatements, paused reminders, SMTP down for a day, a worker
/// restart) and raters answering through the form. Invariants are computed from the tables, MailDev and the test's own
/// record of the study, never from the code under test: mail ones every day, the rest every week, after each event and
/// at the end (see <c>Season.CheckStateAsync</c>). Seeded: the same season every run.
/// </summary>
public sealed partial class SeasonTests(ITestOutputHelper output)
{
    private const int Seed = 20270104;
    private const int SeasonDays = 182; // 26 weeks: day 0 and day 182 are Mondays
    private const int SmtpDownDay = 75, WorkerRestartDay = 90, ReplaceDay = 40, AddressDay = 55, MeetingRemovedDay = 120;
    private static readonly int[] WithdrawDays = [30, 64, 97, 140];
    private static readonly Dictionary<int, int> ReinstateDays = new() { [50] = 30, [110] = 97 }; // day → the day its dyad was withdrawn

    [Fact]
    public async Task A_season_of_102_dyads_at_three_sites_keeps_every_invariant_every_day()
    {
        var watch = Stopwatch.StartNew();
        var ports = EmulatorProcess.FreePorts(3);
        var mailDevStart = MailDev.EnsureRunningAsync(ports[1], ports[2]);
        await using var azurite = await Azurite.EnsureRunningAsync(AzuriteOptions.Isolated());
        await using var mailDev = await mailDevStart;
        var settings = PipelineFixture.Settings(azurite, ports[0]);
        settings["AlliancePipeline__Smtp__Port"] = mailDev.SmtpPort.ToString(CultureInfo.InvariantCulture);
        settings["AlliancePipeline__Clock__Adjustable"] = "true";
        // Failed mails come back after 5 s: a mail's five tries outlast the test's day of SMTP outage (production: 10 s).
        settings["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:05";
        settings["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.250";
        await using var services = PipelineFixture.AppServices(settings);
        var log = new FakeLogCollector();
        var host = await PipelineFixture.StartHostAsync(settings, ports[0], log);
        try
        {
            var tables = services.GetRequiredService<TableServiceClient>();
            var now = DateTimeOffset.UtcNow;
            var issued = await AccessKeyWriter.IssueAsync(tables.GetTableClient(StorageNames.AccessKeysTable), tables.GetTableClient(StorageNames.AuditTable),
                AccessScope.Admin, "season admin", now.AddDays(2), "cli", now, default);
            using var api = new AllianceApi(host.BaseAddress, issued.Key);
            using var inbox = new MailDevClient(mailDev.WebAddress);
            using var web = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
            var season = new Season(api, web, inbox, tables, services.GetRequiredService<ILinkTokens>(), services.GetRequiredService<QueueServiceClient>(), issued.Key, $"key:{issued.Entity.RowKey}", output);

            await season.SetClockAsync(SeasonStudy.Start.AddDays(-1));
            await season.ApplyAsync("applied");
            var rng = new Random(Seed);
            for (var d = 0; d <= SeasonDays; d++)
            {
                var day = SeasonStudy.Start.AddDays(d);
                season.Day = d;
                var eventDay = false;
                if (d == SmtpDownDay || d == SmtpDownDay + 1)
                {
                    // SMTP down for a day: the app is started again with its mailer pointed at a closed port, and the day
                    // after with MailDev's again (the mails of the outage day wait on the outbox, retried, meanwhile).
                    await host.DisposeAsync();
                    var smtp = new Dictionary<string, string?>(settings) { ["AlliancePipeline__Smtp__Port"] = d == SmtpDownDay ? "1" : settings["AlliancePipeline__Smtp__Port"] };
                    host = await PipelineFixture.StartHostAsync(smtp, ports[0], log);
                    season.Count(d == SmtpDownDay ? "SMTP down for a day (the app restarted pointing at a closed port)" : "SMTP back (the app restarted pointing at MailDev)");
                    eventDay = true;
                }
                if (d == WorkerRestartDay)
                {
                    var victim = host.WorkerProcessId!.Value;
                    using (var process = Process.GetProcessById(victim)) process.Kill();
                    await PipelineFixture.EventuallyAsync(() => Task.FromResult(host.WorkerRestarts == 1 && host.WorkerProcessId != victim && host.State == LocalHostState.Running && host.WorkerProcessId is not null),
                        TimeSpan.FromSeconds(60), "the host to restart the worker");
                    season.Count("worker restarted (killed)");
                    eventDay = true;
                }
                // The clock lives in the worker: set every day (a restarted worker starts on the system's).
                await season.SetClockAsync(day);
                eventDay |= await season.CoordinatorAsync(d, rng);

                await season.RunAsync("reminders");
                if (day.DayOfWeek is DayOfWeek.Monday or DayOfWeek.Thursday) await season.RunAsync("recluster");
                if (day.DayOfWeek == DayOfWeek.Monday) await season.RunAsync("reports");
                var smtpUp = d != SmtpDownDay;
                if (smtpUp) await season.CollectAsync();
                else await season.WaitForFailedTriesAsync();

                // Answers are scored the same day; their alert mails are taken with the next day's mail.
                if (d < SeasonDays && smtpUp) await season.AnswerAsync(rng);
                season.CheckMailOfTheDay();
                season.Progress(watch.Elapsed);
                if (smtpUp && (eventDay || d % 7 == 6 || d == SmtpDownDay + 1 || d == WorkerRestartDay || d == SeasonDays))
                    await season.CheckStateAsync();
            }
            season.CheckAlertsInReports(await season.AlertsAsync());
            output.WriteLine($"Season played in {watch.Elapsed.TotalSeconds:0} s.");
            season.Summary(SeasonDays + 1);
            Assert.True(season.Failures.Count == 0, $"{season.Failures.Count} invariant failure(s):\n" + string.Join("\n", season.Failures.Take(40)));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>The season's state and its players: the coordinator, the raters, and the checks.</summary>
    private sealed partial class Season(AllianceApi api, HttpClient web, MailDevClient inbox, TableServiceClient tables, ILinkTokens tokens, QueueServiceClient queues, string key, string actor, ITestOutputHelper output)
    {
        public SeasonStudy Study { get; } = new();
        public int Day { get; set; }
        public List<string> Failures { get; } = [];
        private readonly List<SeasonMail> _mails = [];
        private int _checkedMails;
        private readonly Dictionary<string, int> _events = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _checks = new(StringComparer.Ordinal);
        private readonly HashSet<string> _answered = new(StringComparer.Ordinal);
        private readonly HashSet<string> _reissued = new(StringComparer.Ordinal);
        private readonly HashSet<string> _paused = new(StringComparer.Ordinal);
        private readonly HashSet<string> _deadLinks = new(StringComparer.Ordinal);
        private readonly HashSet<string> _identities = new(StringComparer.Ordinal);
        private readonly List<(string Action, string Subject, string What)> _audits = [];
        private int _auditsChecked;
        private readonly List<(int Dyad, int Meeting, DateOnly Date)> _toCorrect = [];
        private readonly HashSet<string> _replacedAddresses = new(StringComparer.OrdinalIgnoreCase);
        private DateOnly _today;

        private TableClient Table(string name) => tables.GetTableClient(name);

        /// <summary>A line a day to the file <c>SEASON_PROGRESS</c> names, if any (to follow a long run).</summary>
        public void Progress(TimeSpan elapsed)
        {
            if (Environment.GetEnvironmentVariable("SEASON_PROGRESS") is { Length: > 0 } path)
                File.AppendAllText(path, $"{elapsed.TotalSeconds,6:0} s day {Day} {_today:yyyy-MM-dd}: {_mails.Count} mails, {_answered.Count} answered, {Failures.Count} failures{(Failures.Count > 0 ? ": " + Failures[^1] : "")}\n");
        }

        public void Count(string what, int n = 1) => _events[what] = _events.GetValueOrDefault(what) + n;

        private void Checked(string what, int n = 1) => _checks[what] = _checks.GetValueOrDefault(what) + n;

        private void Fail(string what) => Failures.Add($"day {Day} ({_today:yyyy-MM-dd}): {what}");

        public async Task SetClockAsync(DateOnly day)
        {
            _today = day;
            var set = await api.SendJsonAsync(HttpMethod.Put, "api/manage/clock", new { now = new DateTimeOffset(day.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero) });
            Assert.True(set.Succeeded, set.Problem());
        }

        public async Task RunAsync(string timer)
        {
            var watch = Stopwatch.StartNew();
            var run = await api.SendAsync(HttpMethod.Post, $"api/manage/studies/{SeasonStudy.Id}/run/{timer}");
            Assert.True(run.Succeeded, $"{timer} on day {Day}: {run.Problem()}");
            Time($"timer {timer}", watch);
        }

        public async Task ApplyAsync(string what)
        {
            var text = Study.Text();
            var applied = await api.SendAsync(HttpMethod.Put, $"api/manage/studies/{SeasonStudy.Id}",
                new StringContent(new StudySource { Source = "season.yaml", Text = text }.ToJson(), Encoding.UTF8, StudySource.MediaType));
            Assert.True(applied.Succeeded, $"apply ({what}): {applied.Problem()}");
            Count($"study file {what}");
            _audits.Add(("study.applied", SeasonStudy.Id, $"study file {what}"));
        }

        // ---- the coordinator ----

        /// <summary>The coordinator's events of day <paramref name="d"/>, before the day's timers; true when there were any.</summary>
        public async Task<bool> CoordinatorAsync(int d, Random rng)
        {
            var any = false;
            // Meeting dates: a meeting that took place a few days late is recorded; two days later its date is corrected.
            foreach (var (n, m, date) in _toCorrect.Where(c => c.Date.AddDays(2) == _today).ToList())
            {
                await RecordMeetingAsync(n, m, date.AddDays(-1), "meeting date corrected");
                any = true;
            }
            if (d % 6 == 3 && d < 160)
            {
                var late = Enumerable.Range(1, SeasonStudy.Dyads)
                    .Where(n => !Study.Withdrawn.Contains(n))
                    .SelectMany(n => Study.Meetings.Keys.Select(m => (n, m)))
                    .Where(x => !Study.Recorded.ContainsKey(x) && Study.MeetingDay(x.n, x.m) is var p && p >= _today.AddDays(-4) && p < _today)
                    .ToList();
                if (late.Count > 0)
                {
                    var (n, m) = late[rng.Next(late.Count)];
                    await RecordMeetingAsync(n, m, _today, "meeting date recorded late");
                    _toCorrect.Add((n, m, _today));
                    any = true;
                }
            }
            // Reissues: a form whose reminders are exhausted, unanswered four days after the last one.
            var exhausted = new List<AssessmentEntity>();
            await foreach (var a in Table(StorageNames.AssessmentsTable).QueryAsync<AssessmentEntity>(
                a => a.PartitionKey == SeasonStudy.Id && a.Status == "Pending" && a.RemindersSent >= SeasonStudy.MaxReminders))
            {
                if (!_reissued.Contains(a.RowKey) && !a.RemindersPaused && a.LastReminderAt is { } last && DateOnly.FromDateTime(last.UtcDateTime).AddDays(4) <= _today)
                    exhausted.Add(a);
            }
            foreach (var a in exhausted.OrderBy(a => a.RowKey, StringComparer.Ordinal).Where(_ => rng.NextDouble() < 0.5).Take(2))
            {
                var reissue = await api.SendAsync(HttpMethod.Post, $"api/studies/{SeasonStudy.Id}/assessments/{a.RowKey}/reissue");
                Assert.True(reissue.Succeeded, $"reissue {a.RowKey}: {reissue.Problem()}");
                _reissued.Add(a.RowKey);
                _audits.Add(("link.reissued", a.RowKey, "reissue"));
                Count("link reissued after exhausted reminders");
                any = true;
            }
            if (d == ReplaceDay)
            {
                // p-02 leaves site A: p-10 takes over every dyad of theirs.
                foreach (var n in Study.Practitioner.Where(p => p.Value == "p-02").Select(p => p.Key).ToList())
                {
                    Study.Practitioner[n] = "p-10";
                    ExpectRelinkAudits(n, "practitioner");
                }
                _replacedAddresses.Add(Study.Email["p-02"]);
                await ApplyAsync("re-applied: practitioner p-02 replaced by p-10");
                any = true;
            }
            if (d == AddressDay)
            {
                _replacedAddresses.Add(Study.Email["p-05"]);
                Study.Email["p-05"] = "p-05.corrected@season.example.org";
                foreach (var n in Study.Practitioner.Where(p => p.Value == "p-05").Select(p => p.Key)) ExpectRelinkAudits(n, "practitioner");
                await ApplyAsync("re-applied: address of p-05 corrected");
                any = true;
            }
            if (d == MeetingRemovedDay)
            {
                Study.Meetings.Remove(4);
                await ApplyAsync("re-applied: meeting 4 removed");
                any = true;
            }
            if (WithdrawDays.Contains(d))
            {
                var active = Enumerable.Range(1, SeasonStudy.Dyads).Where(n => !Study.Withdrawn.Contains(n)).ToList();
                var n = active[rng.Next(active.Count)];
                var withdrawn = await api.SendAsync(HttpMethod.Post, $"api/studies/{SeasonStudy.Id}/dyads/{SeasonStudy.Dyad(n)}/withdraw");
                Assert.True(withdrawn.Succeeded, withdrawn.Problem());
                Study.Withdrawn.Add(n);
                _withdrawnOn[d] = n;
                _audits.Add(("dyad.withdrawn", SeasonStudy.Dyad(n), "withdrawal"));
                Count("dyad withdrawn");
                any = true;
            }
            if (ReinstateDays.TryGetValue(d, out var withdrawnDay))
            {
                var n = _withdrawnOn[withdrawnDay];
                // The console's form, as the coordinator's browser posts it (same origin, the key in its cookie).
                using var request = new HttpRequestMessage(HttpMethod.Post, $"api/studies/{SeasonStudy.Id}/dyads/{SeasonStudy.Dyad(n)}/console/reinstate")
                {
                    Content = new FormUrlEncodedContent([]),
                };
                request.Headers.Add("Cookie", $"{KeyCookie.Name}={key}");
                request.Headers.Add("Sec-Fetch-Site", "same-origin");
                using var reinstated = await web.SendAsync(request);
                Assert.Equal(HttpStatusCode.SeeOther, reinstated.StatusCode);
                Study.Withdrawn.Remove(n);
                _audits.Add(("dyad.reinstated", SeasonStudy.Dyad(n), "reinstatement"));
                Count("dyad reinstated");
                any = true;
            }
            return any;
        }

        private readonly Dictionary<int, int> _withdrawnOn = [];

        private void ExpectRelinkAudits(int n, string role)
        {
            foreach (var m in Study.Meetings.Keys)
            {
                var form = SeasonStudy.Form(n, m, role);
                if (!_answered.Contains(form) && !Study.Withdrawn.Contains(n)) _audits.Add(("study.applied", form, "relinked by the study file"));
            }
        }

        private async Task RecordMeetingAsync(int n, int m, DateOnly date, string what)
        {
            var recorded = await api.SendJsonAsync(HttpMethod.Put, $"api/studies/{SeasonStudy.Id}/dyads/{SeasonStudy.Dyad(n)}/meetings/{m}",
                new { date = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });
            Assert.True(recorded.Succeeded, $"{what} ({SeasonStudy.Dyad(n)} m{m} {date}): {recorded.Problem()}");
            Study.Recorded[(n, m)] = date;
            _audits.Add(("meeting.recorded", $"{SeasonStudy.Dyad(n)}-m{m}-", what));
            Count(what);
        }

        // ---- mail ----

        /// <summary>
        /// Waits until the outbox is empty and MailDev holds every mail the <c>Mail</c> table says was sent, then takes
        /// them (report attachments included) and empties MailDev.
        /// </summary>
        public async Task CollectAsync()
        {
            var outbox = queues.GetQueueClient(StorageNames.OutboxQueue);
            var watch = Stopwatch.StartNew();
            await PipelineFixture.EventuallyAsync(async () => (await outbox.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0
                && !await AnyAsync(StorageNames.MailTable, $"PartitionKey eq '{SeasonStudy.Id}' and State eq 'queued'"), TimeSpan.FromSeconds(90), $"day {Day}: the outbox to be sent");
            var sent = await CountAsync(StorageNames.MailTable, $"PartitionKey eq '{SeasonStudy.Id}' and State eq 'sent'");
            IReadOnlyList<MailDevMail> caught = [];
            var deadline = Stopwatch.StartNew();
            while (_mails.Count + (caught = await inbox.ListAsync()).Count < sent && deadline.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(100);
            if (_mails.Count + caught.Count < sent)
            {
                // Mail the app marked sent that never reached the SMTP server's store: lost.
                var have = _mails.Select(m => m.MailId).Concat(caught.Select(m => new SeasonMail(Day, "", m.Header("message-id"), "", "", null, null, null, null).MailId)).ToHashSet(StringComparer.Ordinal);
                var lost = new List<string>();
                await foreach (var row in Table(StorageNames.MailTable).QueryAsync<MailEntity>(r => r.PartitionKey == SeasonStudy.Id && r.State == "sent"))
                    if (!have.Contains(row.RowKey)) lost.Add($"{row.RowKey} (sent {row.SentAt:yyyy-MM-dd HH:mm:ss}, {row.Attempts} attempt(s))");
                Fail($"{lost.Count} mail(s) marked sent never reached MailDev: {string.Join(", ", lost.Take(10))}");
                sent = _mails.Count + caught.Count;
                _lost += lost.Count;
            }
            foreach (var m in caught)
            {
                var token = SeasonMail.FormToken(m.Text);
                var claims = token is null ? null : tokens.Validate(token, DateTimeOffset.UtcNow.AddYears(-2), out _);
                string? report = null;
                if (m.Attachments.FirstOrDefault(a => a.FileName == "report.html") is { } html)
                    report = Encoding.UTF8.GetString(await inbox.AttachmentAsync(m, html));
                _mails.Add(new SeasonMail(Day, m.To.Single().ToLowerInvariant(), m.Header("message-id"), m.Subject, m.Text, token, claims, SeasonMail.PauseLinkToken(m.Text), report));
            }
            // Only the mails taken: one that arrived meanwhile waits for the next look.
            foreach (var m in caught) await inbox.DeleteAsync(m);
            Time("mail collected", watch);
        }

        /// <summary>Waits until every answer posted is scored (its alert mails queued).</summary>
        private async Task ScoredAsync()
        {
            var responses = queues.GetQueueClient(StorageNames.ResponsesQueue);
            await PipelineFixture.EventuallyAsync(async () => (await responses.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, TimeSpan.FromSeconds(60), "the answers to be scored");
        }

        private int _lost;
        private readonly Dictionary<string, TimeSpan> _time = new(StringComparer.Ordinal);

        public void Time(string what, Stopwatch watch) => _time[what] = _time.GetValueOrDefault(what) + watch.Elapsed;

        /// <summary>SMTP down: every mail of the day has been tried and failed at least once (none sent).</summary>
        public async Task WaitForFailedTriesAsync()
        {
            await PipelineFixture.EventuallyAsync(async () => !await AnyAsync(StorageNames.MailTable, $"PartitionKey eq '{SeasonStudy.Id}' and State eq 'queued' and Attempts eq 0"),
                TimeSpan.FromSeconds(60), "every mail of the day to have been tried");
            var waiting = await CountAsync(StorageNames.MailTable, $"PartitionKey eq '{SeasonStudy.Id}' and State eq 'queued'");
            Count("mails held back by the SMTP outage", waiting);
            Assert.True(waiting > 0, "the outage day had mail to send");
        }

        // ---- the raters ----

        /// <summary>What a form's rater does: answer the invitation, a reminder, only a reissued link, never, or pause reminders.</summary>
        private static (string Kind, int After) Persona(string form)
        {
            var r = new Random(Seed ^ Fnv(form)).NextDouble();
            return r switch
            {
                < 0.55 => ("answers", 0),
                < 0.70 => ("answers", 1),
                < 0.78 => ("answers", 2),
                < 0.84 => ("pauses", 0),
                _ => ("answers-reissued", 0),
            };
        }

        private static int Fnv(string text)
        {
            var h = 2166136261u;
            foreach (var c in text) h = (h ^ c) * 16777619u;
            return (int)(h & 0x7fffffff);
        }

        /// <summary>Raters read today's invitations and reminders: some answer through the form as a phone would, some pause their reminders.</summary>
        public async Task AnswerAsync(Random rng)
        {
            var watch = Stopwatch.StartNew();
            await AnswerTodayAsync(rng);
            await ScoredAsync();
            Time("raters answering", watch);
        }

        private async Task AnswerTodayAsync(Random rng)
        {
            var practitioner = InstrumentCatalog.Shipped.Get("wai-s-practitioner");
            var client = InstrumentCatalog.Shipped.Get("wai-s-client");
            foreach (var mail in _mails.Where(m => m.Day == Day && m.Kind is "invitation" or "reminder" && m.Link is not null).ToList())
            {
                var form = mail.Link!.AssessmentId;
                if (_answered.Contains(form)) continue;
                var (persona, after) = Persona(form);
                var reminderNumber = mail.Kind == "reminder" ? int.Parse(mail.MailId[(mail.MailId.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture) : 0;
                if (persona == "pauses" && mail.Kind == "invitation" && mail.PauseToken is { } pause && _paused.Add(form))
                {
                    using var paused = await web.PostAsync($"api/reminders/pause/{pause}", null);
                    if (paused.StatusCode != HttpStatusCode.OK) Fail($"pause link of {form}: {(int)paused.StatusCode}");
                    _audits.Add(("reminders.paused", form, "pause link"));
                    Count("reminders paused by a rater");
                    continue;
                }
                var answers = persona switch
                {
                    "answers" => reminderNumber >= after,
                    "answers-reissued" => _reissued.Contains(form),
                    _ => false,
                };
                if (!answers) continue;
                var instrument = form.EndsWith("-client", StringComparison.Ordinal) ? client : practitioner;
                var dyad = SeasonStudy.DyadNumber(form[..5]);
                var meeting = form[7] - '0';
                // A tenth of the dyads fall apart after the first meeting: low scores, rupture alerts.
                var target = dyad % 10 == 3 && meeting > 1 ? 2.2 : 5.6;
                var body = string.Join('&', instrument.Items.OrderBy(i => i.Number).Select((item, i) =>
                {
                    var scored = Math.Clamp((int)Math.Round(target + (rng.NextDouble() - 0.5) * 1.6), instrument.Scale.Min, instrument.Scale.Max);
                    return $"item-{i + 1}={(item.Reverse ? instrument.Scale.Reverse(scored) : scored)}";
                }));
                using var post = await web.PostAsync($"api/q/{mail.Token}", new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"));
                if (post.StatusCode != HttpStatusCode.SeeOther)
                {
                    Fail($"{form}'s rater answered the link mailed on day {mail.Day} ({mail.MailId}) and got {(int)post.StatusCode}");
                    continue;
                }
                _answered.Add(form);
                Count(mail.Kind == "invitation" ? "forms answered after the invitation" : _reissued.Contains(form) ? "forms answered after a reissue" : "forms answered after a reminder");
            }
        }

        // ---- checks ----

        /// <summary>Mail of the day: nothing doubled, no empty digest.</summary>
        public void CheckMailOfTheDay()
        {
            foreach (var mail in _mails.Skip(_checkedMails))
            {
                Checked("mails checked for doubles");
                if (!_identities.Add(mail.Identity)) Fail($"mail doubled: {mail.Identity} ({mail.MailId})");
                if (mail.Kind == "digest")
                {
                    Checked("digests checked not empty");
                    if (!DigestLine().IsMatch(mail.Text) || mail.Text.Contains("Nothing is overdue", StringComparison.Ordinal) || mail.Text.Contains("Aucun questionnaire", StringComparison.Ordinal))
                        Fail($"empty digest to {mail.To}: {mail.Subject}");
                }
            }
            _checkedMails = _mails.Count;
        }

        /// <summary>Links, the dashboard against a recount, the audit trail.</summary>
        public async Task CheckStateAsync()
        {
            var watch = Stopwatch.StartNew();
            var rows = new Dictionary<string, AssessmentEntity>(StringComparer.Ordinal);
            await foreach (var a in Table(StorageNames.AssessmentsTable).QueryAsync<AssessmentEntity>(a => a.PartitionKey == SeasonStudy.Id)) rows[a.RowKey] = a;
            foreach (var a in rows.Values.Where(a => a.Status is "Submitted" or "Completed")) _answered.Add(a.RowKey);
            await CheckLinksAsync(rows);
            await CheckDashboardAsync(rows);
            await CheckAuditAsync();
            Checked("days with every invariant checked");
            Time("state checks", watch);
        }

        /// <summary>
        /// Every due, unanswered, not withdrawn form's current rater holds a working link (the newest link mailed to them
        /// for it opens the form: 200); every superseded link (an older version, or mailed to a rater no longer the
        /// form's) answers 410.
        /// </summary>
        private async Task CheckLinksAsync(Dictionary<string, AssessmentEntity> rows)
        {
            var byForm = _mails.Where(m => m.Link is not null).GroupBy(m => m.Link!.AssessmentId).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            var active = Study.ActiveForms().Select(f => (Form: SeasonStudy.Form(f.Dyad, f.Meeting, f.Role), f.Dyad, f.Meeting, f.Role)).ToList();
            foreach (var (form, n, m, role) in active)
            {
                if (_answered.Contains(form) || Study.MeetingDay(n, m) > _today) continue;
                var to = Study.RaterEmail(n, role).ToLowerInvariant();
                var newest = byForm.GetValueOrDefault(form)?.Where(x => x.To == to).MaxBy(x => (x.Link!.LinkVersion, x.Day, x.Kind == "reminder"));
                Checked("due forms whose rater's newest link was opened");
                if (newest is null)
                {
                    Fail($"{form} is due since {Study.MeetingDay(n, m):yyyy-MM-dd} and its rater ({to}) holds no link to it (app: {Describe(rows.GetValueOrDefault(form))})");
                    continue;
                }
                using var open = await web.GetAsync($"api/q/{newest.Token}");
                if (open.StatusCode != HttpStatusCode.OK)
                    Fail($"{form}: the newest link its rater holds ({newest.MailId}, day {newest.Day}) answers {(int)open.StatusCode} (app: {Describe(rows.GetValueOrDefault(form))})");
            }
            var current = active.ToDictionary(f => f.Form, f => Study.RaterEmail(f.Dyad, f.Role).ToLowerInvariant(), StringComparer.Ordinal);
            foreach (var (form, mails) in byForm)
            {
                if (_answered.Contains(form)) continue;
                var top = mails.Max(x => x.Link!.LinkVersion);
                foreach (var old in mails.Where(x => !_deadLinks.Contains(x.Token!) && (x.Link!.LinkVersion < top || !current.TryGetValue(form, out var to) || x.To != to)))
                {
                    var replaced = _replacedAddresses.Contains(old.To);
                    Checked(replaced ? "replaced raters' links refused" : "superseded or withdrawn links refused");
                    using var open = await web.GetAsync($"api/q/{old.Token}");
                    if (open.StatusCode == HttpStatusCode.Gone) _deadLinks.Add(old.Token!);
                    else Fail($"{form}: a superseded link ({old.MailId} to {old.To}{(replaced ? ", a replaced rater" : "")}) answers {(int)open.StatusCode}, not 410");
                }
            }
        }

        private static string Describe(AssessmentEntity? a) => a is null
            ? "no row"
            : $"{a.Status}, v{a.LinkVersion}, invite on {a.InviteOn:yyyy-MM-dd}, invitation queued {a.InvitationQueuedAt:yyyy-MM-dd}, sent {a.InvitationSentAt:yyyy-MM-dd}, {a.RemindersSent} reminder(s){(a.RemindersPaused ? ", paused" : "")}{(a.LastMailError is { Length: > 0 } e ? ", last error " + e : "")}";

        /// <summary>The study's completion JSON, and each site's through a site key's eyes, equal a recount of <c>Assessments</c> and <c>Alerts</c>.</summary>
        private async Task CheckDashboardAsync(Dictionary<string, AssessmentEntity> rows)
        {
            var completion = await api.GetJsonAsync($"api/studies/{SeasonStudy.Id}/completion");
            Assert.True(completion.Succeeded, completion.Problem());
            using var json = JsonDocument.Parse(completion.Body);
            var openAlerts = new List<AlertEntity>();
            await foreach (var a in Table(StorageNames.AlertsTable).QueryAsync<AlertEntity>(a => a.PartitionKey == SeasonStudy.Id && a.Status == "open")) openAlerts.Add(a);
            void Compare(string scope, JsonElement figures, IEnumerable<AssessmentEntity> set)
            {
                var list = set.ToList();
                var today = _today;
                bool Overdue(AssessmentEntity a) => a.Status == "Pending" && DateOnly.FromDateTime(a.DueDate.UtcDateTime) < today;
                var expected = new Dictionary<string, int>
                {
                    ["assessments"] = list.Count(a => a.Status != "Withdrawn"),
                    ["answered"] = list.Count(a => a.Status is "Submitted" or "Completed"),
                    ["overdue"] = list.Count(Overdue),
                    ["upcoming"] = list.Count(a => a.Status == "Pending" && !Overdue(a)),
                    ["withdrawn"] = list.Count(a => a.Status == "Withdrawn"),
                };
                expected["due"] = expected["answered"] + expected["overdue"];
                foreach (var (name, value) in expected)
                {
                    Checked("dashboard figures recounted");
                    var shown = figures.GetProperty(name).GetInt32();
                    if (shown != value) Fail($"dashboard {scope}: {name} {shown}, the tables say {value}");
                }
            }
            var root = json.RootElement;
            Compare("totals", root.GetProperty("totals"), rows.Values);
            foreach (var site in root.GetProperty("bySite").EnumerateArray())
            {
                var id = site.GetProperty("siteId").GetString()!;
                Compare(id, site.GetProperty("figures"), rows.Values.Where(a => a.SiteId == id));
            }
            Checked("dashboard figures recounted");
            var alerts = root.GetProperty("openAlerts").GetArrayLength();
            if (alerts != openAlerts.Count) Fail($"dashboard: {alerts} open alerts, the table has {openAlerts.Count}");
        }

        /// <summary>Each change the test made through the API has its audit row (by the action and the record changed).</summary>
        private async Task CheckAuditAsync()
        {
            if (_auditsChecked == _audits.Count) return;
            var rows = new List<AuditEntity>();
            await foreach (var r in Table(StorageNames.AuditTable).QueryAsync<AuditEntity>(r => r.PartitionKey == SeasonStudy.Id)) rows.Add(r);
            foreach (var group in _audits.GroupBy(a => (a.Action, a.Subject)))
            {
                var expected = group.Count();
                var found = rows.Count(r => r.Action == group.Key.Action && (group.Key.Subject.EndsWith('-') ? r.Subject.StartsWith(group.Key.Subject, StringComparison.Ordinal) : r.Subject == group.Key.Subject)
                    && (group.Key.Action == "reminders.paused" || r.Actor == actor));
                Checked("audit rows found", expected);
                if (found < expected) Fail($"{expected - found} of {expected} change(s) without an audit row: {group.Key.Action} {group.Key.Subject} ({group.First().What})");
            }
            _auditsChecked = _audits.Count;
        }

        public async Task<List<AlertEntity>> AlertsAsync()
        {
            var alerts = new List<AlertEntity>();
            await foreach (var a in Table(StorageNames.AlertsTable).QueryAsync<AlertEntity>(a => a.PartitionKey == SeasonStudy.Id)) alerts.Add(a);
            return alerts;
        }

        /// <summary>Each alert is listed in exactly one mailed report (over the season).</summary>
        public void CheckAlertsInReports(List<AlertEntity> alerts)
        {
            var reports = _mails.Where(m => m.ReportHtml is not null).ToList();
            Count("report mails with report.html", reports.Count);
            var listed = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var report in reports)
            {
                var table = AlertsTable().Match(report.ReportHtml!);
                if (!table.Success) continue;
                foreach (Match row in AlertRow().Matches(table.Value))
                {
                    var key = $"{WebUtility.HtmlDecode(row.Groups[1].Value)}-m{row.Groups[2].Value}-{WebUtility.HtmlDecode(row.Groups[3].Value)}";
                    listed[key] = listed.GetValueOrDefault(key) + 1;
                }
            }
            Count("alerts raised", alerts.Count);
            foreach (var alert in alerts)
            {
                Checked("alerts found in exactly one mailed report");
                var key = $"{alert.DyadId}-m{alert.Meeting}-{alert.RaterRole}";
                if (listed.GetValueOrDefault(key) != 1) Fail($"alert {key} (raised {alert.RaisedAt:yyyy-MM-dd}) is listed in {listed.GetValueOrDefault(key)} mailed reports");
            }
            foreach (var extra in listed.Keys.Except(alerts.Select(a => $"{a.DyadId}-m{a.Meeting}-{a.RaterRole}"), StringComparer.Ordinal))
                Fail($"a mailed report lists alert {extra}, which the Alerts table does not have");
        }

        public void Summary(int days)
        {
            output.WriteLine($"Played {days} days ({SeasonStudy.Start:yyyy-MM-dd} to {SeasonStudy.Start.AddDays(days - 1):yyyy-MM-dd}), {SeasonStudy.Dyads} dyads at {SeasonStudy.Sites.Length} sites, one step per day.");
            output.WriteLine("Events:");
            foreach (var (what, n) in _events.OrderBy(e => e.Key, StringComparer.Ordinal)) output.WriteLine($"  {n,5}  {what}");
            output.WriteLine($"Mails caught by MailDev: {_mails.Count} ({string.Join(", ", _mails.GroupBy(m => m.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"))}).");
            output.WriteLine("Checks:");
            foreach (var (what, n) in _checks.OrderBy(e => e.Key, StringComparer.Ordinal)) output.WriteLine($"  {n,6}  {what}");
            output.WriteLine($"Mails marked sent that never reached MailDev: {_lost}.");
            output.WriteLine("Time: " + string.Join(", ", _time.Select(t => $"{t.Key} {t.Value.TotalSeconds:0} s")) + ".");
            output.WriteLine($"Invariant failures: {Failures.Count}.");
        }

        private async Task<bool> AnyAsync(string table, string filter)
        {
            await foreach (var _ in Table(table).QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["RowKey"])) return true;
            return false;
        }

        private async Task<int> CountAsync(string table, string filter)
        {
            var n = 0;
            await foreach (var _ in Table(table).QueryAsync<TableEntity>(filter, select: ["RowKey"])) n++;
            return n;
        }

        [GeneratedRegex(@"^- d-\d+", RegexOptions.Multiline)]
        private static partial Regex DigestLine();

        [GeneratedRegex(@"<table id=""alerts"">.*?</table>", RegexOptions.Singleline)]
        private static partial Regex AlertsTable();

        [GeneratedRegex(@"<th scope=""row"">([^<]+)</th><td class=""text"">[^<]*</td><td>(\d+)</td><td class=""text"">([^<]+)</td>")]
        private static partial Regex AlertRow();
    }
}
