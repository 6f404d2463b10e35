using System.Text.Json;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Dashboards;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AlliancePipeline.Functions.Tests.Dashboard;

/// <summary>
/// <see cref="AssessmentViews"/> against a recount of <c>Assessments</c>: after seeded random sequences of writes of every
/// kind (single merges and replaces, inserts, transactions, concurrent writers, site moves), each site's and the whole
/// study's completion figures equal those computed from a scan of the table; the reminder index selects exactly what a
/// scan selects over a simulated study of many days; and a site's dashboard reads its site's rows, not the study's.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AssessmentViewsTests(AzuriteFixture azurite)
{
    private static readonly string[] Sites = ["site-a", "site-b", "site-c", "site-d"];
    private static readonly Caller Admin = new("0123456789abcdef", AccessScope.Admin);
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private TableClient Assessments => azurite.Tables.GetTableClient(StorageNames.AssessmentsTable);

    private async Task<string> NewStudyAsync(string prefix, IEnumerable<string> sites)
    {
        foreach (var table in StorageNames.Tables) await azurite.Tables.CreateTableIfNotExistsAsync(table);
        var study = AzuriteFixture.UniqueName(prefix);
        await azurite.Tables.GetTableClient(StorageNames.StudiesTable).UpsertEntityAsync(new StudyEntity
        {
            RowKey = study,
            Name = "Views",
            InstrumentId = "wai-s-practitioner",
            Sites = string.Join(',', sites),
        });
        return study;
    }

    private static AssessmentEntity NewRow(string study, int n, Random random, DateTimeOffset now, IReadOnlyList<string> sites)
    {
        var role = n % 2 == 0 ? "practitioner" : "client";
        var due = StudyCalendar.StartOf(StudyCalendar.Day(now).AddDays(random.Next(-20, 20)));
        var row = new AssessmentEntity
        {
            PartitionKey = study,
            RowKey = $"d-{n / 8:0000}-m{(n / 2 % 4) + 1}-{role}",
            SiteId = sites[n / 8 % sites.Count],
            DyadId = $"d-{n / 8:0000}",
            Meeting = (n / 2 % 4) + 1,
            RaterRole = role,
            RaterId = $"r-{n / 8 % 7}-{role}",
            Arm = (n / 8 % 3) switch { 0 => "a", 1 => "b", _ => null },
            DueDate = due,
            MeetingDate = due.AddDays(-7),
            InviteOn = due.AddDays(-7),
            Language = "en",
        };
        Answer(row, random, now);
        return row;
    }

    private static void Answer(AssessmentEntity row, Random random, DateTimeOffset now)
    {
        row.Status = random.Next(5) switch
        {
            0 => nameof(AssessmentStatus.Submitted),
            1 => nameof(AssessmentStatus.Completed),
            2 => nameof(AssessmentStatus.Withdrawn),
            _ => nameof(AssessmentStatus.Pending),
        };
        row.SubmittedAt = row.Status is nameof(AssessmentStatus.Submitted) or nameof(AssessmentStatus.Completed) ? now.AddDays(-random.Next(0, 15)) : null;
    }

    /// <summary>One random write to <c>Assessments</c> through the watched client (as the app writes).</summary>
    private async Task WriteAsync(string study, Random random, List<string> ids, DateTimeOffset now, IReadOnlyList<string> sites, int next)
    {
        string Pick() => ids[random.Next(ids.Count)];
        switch (random.Next(7))
        {
            case 0: // a merge of the status (answered, withdrawn, reinstated)
                {
                    var row = new AssessmentEntity();
                    Answer(row, random, now);
                    await Assessments.UpdateEntityAsync(new TableEntity(study, Pick()) { ["Status"] = row.Status, ["SubmittedAt"] = row.SubmittedAt ?? now }, ETag.All, TableUpdateMode.Merge);
                    break;
                }
            case 1: // dates moved (a meeting recorded)
                await Assessments.UpdateEntityAsync(new TableEntity(study, Pick())
                {
                    ["DueDate"] = StudyCalendar.StartOf(StudyCalendar.Day(now).AddDays(random.Next(-10, 10))),
                    ["MeetingDate"] = now.AddDays(-random.Next(0, 10)),
                }, ETag.All, TableUpdateMode.Merge);
                break;
            case 2: // the dyad moved to another site
                await Assessments.UpdateEntityAsync(new TableEntity(study, Pick()) { ["SiteId"] = sites[random.Next(sites.Count)] }, ETag.All, TableUpdateMode.Merge);
                break;
            case 3: // a whole row replaced (a reissue, a relink) or a new one added
                {
                    var row = NewRow(study, random.Next(2) == 0 ? next : random.Next(next), random, now, sites);
                    await Assessments.UpsertEntityAsync(row, TableUpdateMode.Replace);
                    if (!ids.Contains(row.RowKey)) ids.Add(row.RowKey);
                    break;
                }
            case 4: // a transaction of merges (an apply, an import, a withdrawal)
                {
                    var chosen = Enumerable.Range(0, random.Next(2, 30)).Select(_ => Pick()).Distinct().ToList();
                    var status = random.Next(2) == 0 ? nameof(AssessmentStatus.Withdrawn) : nameof(AssessmentStatus.Pending);
                    await Assessments.SubmitTransactionAsync(chosen.Select(id => new TableTransactionAction(TableTransactionActionType.UpdateMerge,
                        new TableEntity(study, id) { ["Status"] = status, ["RemindersSent"] = random.Next(3) })));
                    break;
                }
            case 5: // concurrent writers, some on the same assessment
                {
                    var target = Pick();
                    await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Assessments.UpdateEntityAsync(new TableEntity(study, i % 2 == 0 ? target : Pick())
                    {
                        ["SiteId"] = sites[random.Next(sites.Count)],
                        ["Status"] = i % 3 == 0 ? nameof(AssessmentStatus.Completed) : nameof(AssessmentStatus.Pending),
                    }, ETag.All, TableUpdateMode.Merge)));
                    break;
                }
            default: // the invitation log (reminders)
                await Assessments.UpdateEntityAsync(new TableEntity(study, Pick()) { ["RemindersSent"] = random.Next(4), ["LastReminderAt"] = now }, ETag.All, TableUpdateMode.Merge);
                break;
        }
    }

    private static DashboardService Dashboard(TableServiceClient tables, TimeProvider clock) =>
        new(new DashboardReader(tables, new AssessmentViews(tables)), tables, clock, NullLogger<DashboardService>.Instance);

    /// <summary>The report recomputed from a scan of <c>Assessments</c> (the old way), as JSON.</summary>
    private async Task<string> RecountAsync(string study, string? site, DateTimeOffset now)
    {
        var reader = new DashboardReader(azurite.Tables, new AssessmentViews(azurite.Tables));
        var entity = (await reader.FindStudyAsync(study, default))!;
        var rows = new List<AssessmentEntity>();
        await foreach (var a in Assessments.QueryAsync<AssessmentEntity>(a => a.PartitionKey == study)) rows.Add(a);
        var names = await reader.SiteNamesAsync(entity, site, default);
        return JsonSerializer.Serialize(CompletionReport.Build(new CompletionInput(study, entity.Name, site, names, rows, []), now));
    }

    private static async Task<string> ShownAsync(DashboardService dashboard, string study, string? site)
    {
        var report = await dashboard.CompletionAsync(study, Admin, site, default);
        Assert.False(report.IsRefused);
        return JsonSerializer.Serialize(report.Value);
    }

    [Fact]
    public async Task Site_and_study_figures_equal_a_recount_after_random_writes()
    {
        var study = await NewStudyAsync("views", Sites);
        var random = new Random(19);
        var clock = new FakeTimeProvider(Start);
        var dashboard = Dashboard(azurite.Tables, clock);
        // A study written before the views existed (as every study stored before them): built on first read.
        var seeded = Enumerable.Range(0, 160).Select(n => NewRow(study, n, random, Start, Sites)).ToList();
        var plain = new TableServiceClient(azurite.ConnectionString).GetTableClient(StorageNames.AssessmentsTable);
        foreach (var chunk in seeded.Chunk(100))
            await plain.SubmitTransactionAsync(chunk.Select(a => new TableTransactionAction(TableTransactionActionType.UpsertReplace, a)));
        var ids = seeded.Select(a => a.RowKey).ToList();
        var next = 160;
        for (var step = 0; step <= 240; step++)
        {
            if (step % 12 == 0)
            {
                var now = clock.GetUtcNow();
                foreach (var site in Sites.Append(null))
                    Assert.Equal(await RecountAsync(study, site, now), await ShownAsync(dashboard, study, site));
                clock.Advance(TimeSpan.FromHours(random.Next(1, 40)));
            }
            await WriteAsync(study, random, ids, clock.GetUtcNow(), Sites, next++);
        }
    }

    /// <summary>
    /// The kept site summaries (<c>{study}|sum</c>) never give a figure a scan contradicts: over a seeded series of
    /// changes of every kind — answers, meeting dates, withdrawals and reinstatements, reissues, site moves (to a site
    /// new to the study too), pauses, a new form, writes left half done (marked, written, never synced; some later
    /// synced by a reader once their marker is old), the clock passing midnight — each whole-study read (and some
    /// site reads) equals <see cref="CompletionReport.Build"/> over a fresh scan of <c>Assessments</c>, byte for byte.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Kept_site_summaries_give_what_a_scan_gives_after_random_changes(int seed)
    {
        string[] sites = ["site-a", "site-b", "site-c", "site-d", "site-e"];
        var study = await NewStudyAsync($"sums{seed}", sites);
        var random = new Random(seed);
        var clock = new FakeTimeProvider(Start);
        var dashboard = Dashboard(azurite.Tables, clock);
        var views = new AssessmentViews(azurite.Tables);
        var plain = new TableServiceClient(azurite.ConnectionString);
        var unwatched = plain.GetTableClient(StorageNames.AssessmentsTable);
        var rows = Enumerable.Range(0, 120).Select(n => NewRow(study, n, random, Start, sites)).ToList();
        foreach (var chunk in rows.Chunk(100))
            await Assessments.SubmitTransactionAsync(chunk.Select(a => new TableTransactionAction(TableTransactionActionType.UpsertReplace, a)));
        var ids = rows.Select(a => a.RowKey).ToList();
        string Pick() => ids[random.Next(ids.Count)];
        var moves = sites.Append("site-new").ToArray();
        int reads = 0, halfDone = 0, next = 120;
        for (var step = 0; step < 160; step++)
        {
            var now = clock.GetUtcNow();
            var id = Pick();
            switch (random.Next(11))
            {
                case 0: // an answer, or a completion by the coordinator
                    await Assessments.UpdateEntityAsync(new TableEntity(study, id)
                    {
                        ["Status"] = random.Next(2) == 0 ? "Submitted" : "Completed",
                        ["SubmittedAt"] = now.AddHours(-random.Next(0, 200)),
                    }, ETag.All, TableUpdateMode.Merge);
                    break;
                case 1: // a meeting date recorded: the form's days move
                    var day = StudyCalendar.StartOf(StudyCalendar.Day(now).AddDays(random.Next(-6, 6)));
                    await Assessments.UpdateEntityAsync(new TableEntity(study, id) { ["MeetingDate"] = day, ["InviteOn"] = day, ["DueDate"] = day.AddDays(random.Next(0, 8)) }, ETag.All, TableUpdateMode.Merge);
                    break;
                case 2: // a dyad withdrawn or reinstated: its forms in one transaction
                    var dyad = id[..6];
                    await Assessments.SubmitTransactionAsync(ids.Where(i => i.StartsWith(dyad, StringComparison.Ordinal)).Select(i => new TableTransactionAction(TableTransactionActionType.UpdateMerge,
                        new TableEntity(study, i) { ["Status"] = random.Next(2) == 0 ? "Withdrawn" : "Pending" })));
                    break;
                case 3: // a reissue: a new link version, a fresh log
                    var current = (await Assessments.GetEntityAsync<AssessmentEntity>(study, id)).Value;
                    current.LinkVersion++;
                    (current.Status, current.SubmittedAt, current.InvitationQueuedAt, current.RemindersSent, current.LastReminderAt, current.RemindersPaused) = ("Pending", null, null, 0, null, false);
                    await Assessments.UpdateEntityAsync(current, current.ETag, TableUpdateMode.Replace);
                    break;
                case 4: // a site move: one form, or a whole dyad
                    var to = moves[random.Next(moves.Length)];
                    var moved = random.Next(2) == 0 ? [id] : ids.Where(i => i.StartsWith(id[..6], StringComparison.Ordinal)).ToList();
                    await Assessments.SubmitTransactionAsync(moved.Select(i => new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(study, i) { ["SiteId"] = to })));
                    break;
                case 5: // the rater paused (or a reissue resumed) its reminders; a reminder logged
                    await Assessments.UpdateEntityAsync(new TableEntity(study, id) { ["RemindersPaused"] = random.Next(3) != 0, ["RemindersSent"] = random.Next(3), ["LastReminderAt"] = now }, ETag.All, TableUpdateMode.Merge);
                    break;
                case 6: // a new form
                    var added = NewRow(study, next++, random, now, sites);
                    await Assessments.UpsertEntityAsync(added, TableUpdateMode.Replace);
                    if (!ids.Contains(added.RowKey)) ids.Add(added.RowKey);
                    break;
                case 7: // a write left half done: marked and written, never synced (its marker stays)
                    halfDone++;
                    await views.MarkAsync(study, [id], default);
                    await unwatched.UpdateEntityAsync(new TableEntity(study, id)
                    {
                        ["SiteId"] = moves[random.Next(moves.Length)],
                        ["Status"] = random.Next(2) == 0 ? "Completed" : "Withdrawn",
                        ["SubmittedAt"] = now,
                    }, ETag.All, TableUpdateMode.Merge);
                    break;
                case 8: // markers of stopped writes grow old: the next reader syncs those assessments and removes them
                    var marks = plain.GetTableClient(StorageNames.AssessmentViewsTable);
                    await foreach (var m in marks.QueryAsync<TableEntity>(e => e.PartitionKey == $"{study}|mark"))
                        await marks.UpdateEntityAsync(new TableEntity(m.PartitionKey, m.RowKey) { ["At"] = DateTimeOffset.UtcNow - AssessmentViews.StaleMark - TimeSpan.FromMinutes(1) }, ETag.All, TableUpdateMode.Merge);
                    break;
                case 9: // the clock moves, past midnight or not
                    clock.Advance(TimeSpan.FromHours(random.Next(1, 30)));
                    break;
                default:
                    break;
            }
            if (random.Next(4) == 0)
            {
                reads++;
                now = clock.GetUtcNow();
                Assert.Equal(await RecountAsync(study, null, now), await ShownAsync(dashboard, study, null));
                if (random.Next(3) == 0)
                {
                    var site = sites[random.Next(sites.Length)];
                    Assert.Equal(await RecountAsync(study, site, now), await ShownAsync(dashboard, study, site));
                }
                // A second read with nothing changed in between takes the kept summaries (or recomputes the marked sites).
                Assert.Equal(await RecountAsync(study, null, now), await ShownAsync(dashboard, study, null));
            }
        }
        Assert.True(reads > 20 && halfDone > 3, $"{reads} reads, {halfDone} writes left half done: the series would not show much");
    }

    [Fact]
    public async Task Views_built_before_the_kept_summaries_give_each_site_a_version_on_first_read()
    {
        var study = await NewStudyAsync("oldviews", Sites);
        var random = new Random(11);
        var rows = Enumerable.Range(0, 60).Select(n => NewRow(study, n, random, Start, Sites)).ToList();
        await Assessments.SubmitTransactionAsync(rows.Select(a => new TableTransactionAction(TableTransactionActionType.UpsertReplace, a)));
        var dashboard = Dashboard(azurite.Tables, new FakeTimeProvider(Start));
        Assert.Equal(await RecountAsync(study, null, Start), await ShownAsync(dashboard, study, null)); // builds the views
        // As views built before the summaries were kept: no versions, no summaries, no Sums on the state row.
        var views = new TableServiceClient(azurite.ConnectionString).GetTableClient(StorageNames.AssessmentViewsTable);
        await foreach (var row in views.QueryAsync<TableEntity>(e => e.PartitionKey == $"{study}|sum"))
            await views.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        await views.UpsertEntityAsync(new TableEntity($"{study}|state", "state") { ["Sums"] = false }, TableUpdateMode.Merge);
        // A write since gives its site a version; the other sites have none but their copies.
        await Assessments.UpdateEntityAsync(new TableEntity(study, rows[0].RowKey) { ["Status"] = "Completed", ["SubmittedAt"] = Start }, ETag.All, TableUpdateMode.Merge);
        foreach (var site in new[] { null, "site-b" })
        {
            Assert.Equal(await RecountAsync(study, site, Start), await ShownAsync(dashboard, study, site));
            Assert.Equal(await RecountAsync(study, site, Start), await ShownAsync(dashboard, study, site));
        }
    }

    [Fact]
    public async Task A_write_whose_views_were_never_synced_is_read_from_Assessments()
    {
        var study = await NewStudyAsync("marked", Sites);
        var random = new Random(7);
        var views = new AssessmentViews(azurite.Tables);
        var rows = Enumerable.Range(0, 40).Select(n => NewRow(study, n, random, Start, Sites)).ToList();
        await Assessments.SubmitTransactionAsync(rows.Select(a => new TableTransactionAction(TableTransactionActionType.UpsertReplace, a)));
        var dashboard = Dashboard(azurite.Tables, new FakeTimeProvider(Start));
        Assert.Equal(await RecountAsync(study, "site-a", Start), await ShownAsync(dashboard, study, "site-a"));

        // A writer that stopped between its write and its sync: its markers stay, its write is not in the views.
        var moved = rows.First(a => a.SiteId == "site-a").RowKey;
        await views.MarkAsync(study, [moved], default);
        await new TableServiceClient(azurite.ConnectionString).GetTableClient(StorageNames.AssessmentsTable)
            .UpdateEntityAsync(new TableEntity(study, moved) { ["SiteId"] = "site-b", ["Status"] = "Completed", ["SubmittedAt"] = Start }, ETag.All, TableUpdateMode.Merge);
        foreach (var site in new[] { "site-a", "site-b", null })
            Assert.Equal(await RecountAsync(study, site, Start), await ShownAsync(dashboard, study, site));
    }

    [Fact]
    public async Task The_due_index_selects_what_a_scan_of_every_assessment_selects()
    {
        var study = await NewStudyAsync("due", Sites);
        var random = new Random(23);
        var views = new AssessmentViews(azurite.Tables);
        var policy = new ReminderPolicy(2, 3, 3);
        var rater = new ParticipantEntity { Kind = ParticipantEntity.Kinds.Rater, Email = "rater@example.org", Language = "en" };
        var now = Start;
        var rows = Enumerable.Range(0, 120).Select(n =>
        {
            var row = NewRow(study, n, random, now.AddDays(25), Sites);
            row.Status = n % 9 == 0 ? nameof(AssessmentStatus.Withdrawn) : nameof(AssessmentStatus.Pending);
            row.SubmittedAt = null;
            return row;
        }).ToList();
        foreach (var chunk in rows.Chunk(100))
            await Assessments.SubmitTransactionAsync(chunk.Select(a => new TableTransactionAction(TableTransactionActionType.UpsertReplace, a)));
        var ids = rows.Select(a => a.RowKey).ToList();
        string Pick() => ids[random.Next(ids.Count)];

        // The index holds each assessment's current row and nothing else: a change deletes the row it leaves behind,
        // rather than leaving it for a run to read and delete on its day.
        async Task AssertIndexIsCurrentAsync()
        {
            var index = new List<string>();
            await foreach (var d in azurite.Tables.GetTableClient(StorageNames.AssessmentViewsTable).QueryAsync<TableEntity>(e => e.PartitionKey == $"{study}|due")) index.Add(d.RowKey);
            var current = new List<string>();
            await foreach (var a in Assessments.QueryAsync<AssessmentEntity>(a => a.PartitionKey == study))
            {
                if (AssessmentViews.DueKey(a, policy) is { } key) current.Add($"{key}|{a.RowKey}");
            }
            Assert.Equal(current.Order(StringComparer.Ordinal), index.Order(StringComparer.Ordinal));
        }
        int selected = 0, read = 0;
        for (var hour = 0; hour < 24 * 70; hour += 5)
        {
            now = Start.AddHours(hour);
            if (hour == 24 * 30) policy = new ReminderPolicy(1, 2, 5); // the study file changes its reminders
            var scan = new List<AssessmentEntity>();
            await foreach (var a in Assessments.QueryAsync<AssessmentEntity>(a => a.PartitionKey == study)) scan.Add(a);
            var due = await views.DueAsync(study, policy, now, default);
            var expected = scan.Where(a => StudyMailings.Decide(policy, a, null, rater, now) is not null).Select(a => a.RowKey).Order().ToList();
            var actual = due.Where(a => StudyMailings.Decide(policy, a, null, rater, now) is not null).Select(a => a.RowKey).Order().ToList();
            Assert.Equal(expected, actual);
            selected += actual.Count;
            read += due.Count;

            // The run's own writes: the invitation queued (its link's expiry set), a reminder logged.
            foreach (var a in due)
            {
                switch (StudyMailings.Decide(policy, a, null, rater, now))
                {
                    case MailingAction.Invite:
                        await Assessments.UpdateEntityAsync(new TableEntity(study, a.RowKey) { ["InvitationQueuedAt"] = now, ["LinkExpiresAt"] = now.AddDays(random.Next(5, 30)) }, a.ETag, TableUpdateMode.Merge);
                        break;
                    case MailingAction.Remind remind:
                        await Assessments.UpdateEntityAsync(new TableEntity(study, a.RowKey) { ["RemindersSent"] = remind.Number, ["LastReminderAt"] = now }, a.ETag, TableUpdateMode.Merge);
                        break;
                }
            }
            // Events of the study: a meeting date moved, a reissue (a new link version, a fresh log), a withdrawal or
            // reinstatement, a pause, an answer, a hand-over.
            var id = Pick();
            switch (random.Next(7))
            {
                case 0:
                    var day = StudyCalendar.StartOf(StudyCalendar.Day(now).AddDays(random.Next(-3, 12)));
                    await Assessments.UpdateEntityAsync(new TableEntity(study, id) { ["InviteOn"] = day, ["MeetingDate"] = day, ["DueDate"] = day.AddDays(7) }, ETag.All, TableUpdateMode.Merge);
                    break;
                case 1:
                    var current = (await Assessments.GetEntityAsync<AssessmentEntity>(study, id)).Value;
                    current.LinkVersion++;
                    (current.InvitationQueuedAt, current.RemindersSent, current.LastReminderAt, current.RemindersPaused, current.LinkExpiresAt) = (null, 0, null, false, now.AddDays(20));
                    await Assessments.UpdateEntityAsync(current, current.ETag, TableUpdateMode.Replace);
                    break;
                case 2:
                    await Assessments.UpdateEntityAsync(new TableEntity(study, id) { ["Status"] = random.Next(2) == 0 ? "Withdrawn" : "Pending" }, ETag.All, TableUpdateMode.Merge);
                    break;
                case 3:
                    await Assessments.UpdateEntityAsync(new TableEntity(study, id) { ["RemindersPaused"] = true }, ETag.All, TableUpdateMode.Merge);
                    break;
                case 4:
                    await Assessments.UpdateEntityAsync(new TableEntity(study, id) { ["Status"] = "Submitted", ["SubmittedAt"] = now }, ETag.All, TableUpdateMode.Merge);
                    break;
                case 5:
                    var handed = (await Assessments.GetEntityAsync<AssessmentEntity>(study, id)).Value;
                    await Assessments.UpdateEntityAsync(new TableEntity(study, id) { ["HandOverLinkVersion"] = random.Next(2) == 0 ? handed.LinkVersion : handed.LinkVersion - 1 }, ETag.All, TableUpdateMode.Merge);
                    break;
                default:
                    break;
            }
            await AssertIndexIsCurrentAsync();
        }
        Assert.True(selected > 100, $"only {selected} mails over the simulated study: the test would not show much");

        // A run reads at most so many due rows, the oldest keys first, and says when it left some.
        var later = now.AddDays(400);
        var everything = await views.DueBatchAsync(study, policy, later, int.MaxValue, default);
        Assert.False(everything.More);
        var all = (await views.ReadDueAsync(study, policy, everything.Ids, default)).Rows;
        Assert.True(all.Count > 5, $"{all.Count} due");
        var oldest = all.OrderBy(a => AssessmentViews.DueKey(a, policy), StringComparer.Ordinal).ThenBy(a => a.RowKey, StringComparer.Ordinal).Take(5).Select(a => a.RowKey).Order(StringComparer.Ordinal);
        var five = await views.DueBatchAsync(study, policy, later, 5, default);
        Assert.True(five.More);
        Assert.Equal(oldest, five.Ids.Select(d => d.Id).Order(StringComparer.Ordinal));

        Console.WriteLine($"Due index over 70 simulated days, {ids.Count} assessments, a run every 5 hours: {selected} selected, {read} rows read from Assessments in all.");
    }

    [Fact]
    public async Task A_due_row_on_a_day_the_rule_no_longer_gives_moves_to_the_right_day_rather_than_losing_the_form()
    {
        var study = await NewStudyAsync("duemove", Sites);
        var views = new AssessmentViews(azurite.Tables);
        var policy = new ReminderPolicy(2, 3, 3);
        // Due on 2 March, invited late on 7 March: the first reminder from 9 March (the invitation's day plus two), where
        // an older rule (and the index it built) said 4 March (the due date plus two).
        var row = NewRow(study, 0, new Random(3), Start, Sites);
        (row.Status, row.SubmittedAt, row.DueDate, row.InvitationQueuedAt, row.LinkExpiresAt) =
            (nameof(AssessmentStatus.Pending), null, StudyCalendar.StartOf(new DateOnly(2026, 3, 2)), Start.AddDays(5), Start.AddDays(60));
        await Assessments.UpsertEntityAsync(row, TableUpdateMode.Replace);
        Assert.Empty(await views.DueAsync(study, policy, Start, default)); // builds the index
        Assert.Equal("20260309", AssessmentViews.DueKey(row, policy));
        var index = azurite.Tables.GetTableClient(StorageNames.AssessmentViewsTable);
        async Task<List<string>> IndexAsync()
        {
            var keys = new List<string>();
            await foreach (var d in index.QueryAsync<TableEntity>(e => e.PartitionKey == $"{study}|due")) keys.Add(d.RowKey);
            return keys;
        }
        Assert.Equal([$"20260309|{row.RowKey}"], await IndexAsync());

        // The index as the older rule left it.
        await index.DeleteEntityAsync($"{study}|due", $"20260309|{row.RowKey}");
        await index.UpsertEntityAsync(new TableEntity($"{study}|due", $"20260304|{row.RowKey}"));

        // On 4 March the run reads the row, finds nothing to send, and the row moves to 9 March.
        var batch = await views.DueBatchAsync(study, policy, Start.AddDays(2), int.MaxValue, default);
        var found = await views.ReadDueAsync(study, policy, batch.Ids, default);
        Assert.Equal(1, found.StaleDeleted);
        Assert.Null(StudyMailings.Decide(policy, found.Rows.Single(), null, new ParticipantEntity { Kind = ParticipantEntity.Kinds.Rater, Email = "r@example.org" }, Start.AddDays(2)));
        Assert.Equal([$"20260309|{row.RowKey}"], await IndexAsync());
        Assert.Empty(await views.DueAsync(study, policy, Start.AddDays(6), default));
        Assert.Equal([row.RowKey], (await views.DueAsync(study, policy, Start.AddDays(7), default)).Select(a => a.RowKey));
    }

    [Fact]
    public async Task A_form_being_written_is_among_the_due_ids_though_the_index_does_not_name_it()
    {
        var study = await NewStudyAsync("duemark", Sites);
        var views = new AssessmentViews(azurite.Tables);
        var policy = new ReminderPolicy(2, 3, 3);
        var row = NewRow(study, 0, new Random(5), Start, Sites);
        (row.Status, row.SubmittedAt, row.InvitationQueuedAt, row.InviteOn) = (nameof(AssessmentStatus.Pending), null, null, Start.AddDays(3));
        await Assessments.UpsertEntityAsync(row, TableUpdateMode.Replace);
        Assert.Empty(await views.DueAsync(study, policy, Start, default)); // builds the index: the form is due in three days

        // A write in progress (marked, written, not synced yet) makes it due today: the index still names another day.
        await views.MarkAsync(study, [row.RowKey], default);
        await new TableServiceClient(azurite.ConnectionString).GetTableClient(StorageNames.AssessmentsTable)
            .UpdateEntityAsync(new TableEntity(study, row.RowKey) { ["InviteOn"] = Start }, ETag.All, TableUpdateMode.Merge);
        var batch = await views.DueBatchAsync(study, policy, Start, int.MaxValue, default);
        var only = Assert.Single(batch.Ids);
        Assert.Equal((row.RowKey, 0), (only.Id, only.Rows.Count));
        var found = await views.ReadDueAsync(study, policy, batch.Ids, default);
        Assert.Equal((1, 0), (found.Read, found.StaleDeleted));
        Assert.IsType<MailingAction.Invite>(StudyMailings.Decide(policy, found.Rows.Single(), null, new ParticipantEntity { Kind = ParticipantEntity.Kinds.Rater, Email = "r@example.org" }, Start));
    }

    /// <summary>Counts requests and the entities their answers carry.</summary>
    private sealed class Counter : HttpPipelinePolicy
    {
        public int Requests;
        public int Rows;
        public System.Collections.Concurrent.ConcurrentQueue<string> Queries { get; } = new();

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            ProcessNext(message, pipeline);
            Count(message);
        }

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            Count(message);
        }

        private void Count(HttpMessage message)
        {
            Interlocked.Increment(ref Requests);
            if (message.Request.Method == RequestMethod.Get && message.Response.Content is { } body)
            {
                Queries.Enqueue(Uri.UnescapeDataString(message.Request.Uri.ToUri().PathAndQuery));
                var text = body.ToString();
                var rows = 0;
                for (var at = text.IndexOf("odata.etag", StringComparison.Ordinal); at >= 0; at = text.IndexOf("odata.etag", at + 1, StringComparison.Ordinal)) rows++;
                Interlocked.Add(ref Rows, rows);
            }
        }

        public void Reset()
        {
            (Requests, Rows) = (0, 0);
            Queries.Clear();
        }
    }

    [Fact]
    public async Task A_site_dashboard_reads_its_sites_rows_and_a_run_its_due_rows()
    {
        var sites = Enumerable.Range(1, 10).Select(i => $"site-{i:00}").ToArray();
        var study = await NewStudyAsync("reads", sites);
        var random = new Random(3);
        var rows = Enumerable.Range(0, 4000).Select(n => NewRow(study, n, random, Start, sites)).ToList();
        foreach (var chunk in rows.Chunk(100))
            await Assessments.SubmitTransactionAsync(chunk.Select(a => new TableTransactionAction(TableTransactionActionType.UpsertReplace, a)));
        var counter = new Counter();
        var options = new TableClientOptions();
        options.AddPolicy(counter, HttpPipelinePosition.PerRetry);
        var counted = new TableServiceClient(azurite.ConnectionString, options);
        var clock = new FakeTimeProvider(Start);
        var dashboard = Dashboard(counted, clock);
        await ShownAsync(dashboard, study, null); // builds the views (once), then computes and keeps every site's summary

        // The next day every kept summary is out of date (overdue and upcoming move at midnight): every site is read.
        clock.Advance(TimeSpan.FromDays(1));
        counter.Reset();
        await ShownAsync(dashboard, study, null);
        var (firstRequests, firstRows) = (counter.Requests, counter.Rows);
        Assert.InRange(firstRows, rows.Count, rows.Count + (2 * sites.Length) + 5);

        // A whole-study read with nothing changed since: every site's kept summary is taken, no copy is read.
        counter.Reset();
        await ShownAsync(dashboard, study, null);
        var (quietRequests, quietRows) = (counter.Requests, counter.Rows);
        Assert.DoesNotContain(counter.Queries, q => q.Contains("|site|", StringComparison.Ordinal) || (q.Contains("/Assessments", StringComparison.Ordinal) && !q.Contains("/AssessmentViews", StringComparison.Ordinal)));
        Assert.InRange(quietRows, 1, (2 * sites.Length) + 5); // a version and a summary per site, the study, its site names, the state row
        Assert.InRange(quietRequests, 1, 10);

        // One answer at site-03: that site alone is read again.
        var ofSite = rows.Count(a => a.SiteId == "site-03");
        var answered = rows.First(a => a.SiteId == "site-03").RowKey;
        await Assessments.UpdateEntityAsync(new TableEntity(study, answered) { ["Status"] = "Submitted", ["SubmittedAt"] = Start }, ETag.All, TableUpdateMode.Merge);
        counter.Reset();
        await ShownAsync(dashboard, study, null);
        var (changedRequests, changedRows) = (counter.Requests, counter.Rows);
        Assert.InRange(changedRows, ofSite, ofSite + (2 * sites.Length) + 5);
        Assert.Single(counter.Queries, q => q.Contains("|site|", StringComparison.Ordinal));

        // A site's dashboard after a change at the site reads its rows (not the study's), and its kept summary when quiet.
        await Assessments.UpdateEntityAsync(new TableEntity(study, answered) { ["RemindersPaused"] = true }, ETag.All, TableUpdateMode.Merge);
        counter.Reset();
        await ShownAsync(dashboard, study, "site-03");
        var (siteRequests, siteRows) = (counter.Requests, counter.Rows);
        // Not one query of Assessments (a filter on SiteId there still has storage go through the whole study).
        Assert.DoesNotContain(counter.Queries, q => q.Contains("/Assessments", StringComparison.Ordinal) && !q.Contains("/AssessmentViews", StringComparison.Ordinal));
        Assert.InRange(siteRows, ofSite, ofSite + 6); // its assessments, the study row, its site row, the state row, its version and summary
        counter.Reset();
        await ShownAsync(dashboard, study, "site-03");
        var (quietSiteRequests, quietSiteRows) = (counter.Requests, counter.Rows);
        Assert.InRange(quietSiteRows, 1, 6);
        Console.WriteLine($"{rows.Count} assessments, 10 sites: the whole study's read recomputing every site (a new day) {firstRows} rows in {firstRequests} requests; "
            + $"again with no change {quietRows} rows in {quietRequests} requests; after one answer at a site {changedRows} rows in {changedRequests} requests; "
            + $"a site's dashboard after a change there {siteRows} rows in {siteRequests} requests ({ofSite} assessments at the site), with no change {quietSiteRows} rows in {quietSiteRequests} requests.");

        var policy = new ReminderPolicy(3, 7, 3);
        var views = new AssessmentViews(counted);
        await views.DueAsync(study, policy, Start, default); // builds the index for this policy (once)
        counter.Reset();
        var due = await views.DueAsync(study, policy, Start, default);
        var current = new List<AssessmentEntity>(); // the rows as they are now (one was answered, then paused above)
        await foreach (var a in Assessments.QueryAsync<AssessmentEntity>(a => a.PartitionKey == study)) current.Add(a);
        var dueNow = current.Count(a => AssessmentViews.DueKey(a, policy) is { } key && string.CompareOrdinal(key, StudyCalendar.Day(Start).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture)) <= 0);
        Console.WriteLine($"A Reminders run read {counter.Rows} rows in {counter.Requests} requests for {due.Count} assessments due ({dueNow} by their keys).");
        Assert.Equal(dueNow, due.Count);
        Assert.InRange(counter.Rows, due.Count, (2 * due.Count) + 2); // each due row and its assessment, the state row
    }
}
