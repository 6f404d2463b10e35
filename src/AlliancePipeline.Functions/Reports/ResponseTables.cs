using System.Globalization;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Studies;
using CsvHelper;

namespace AlliancePipeline.Functions.Reports;

/// <summary>One column of <c>responses.csv</c> as <c>codebook.csv</c> describes it.</summary>
/// <param name="Name">Column name.</param>
/// <param name="Label">What it holds.</param>
/// <param name="Type"><c>string</c>, <c>integer</c>, <c>double</c>, <c>date</c> or <c>datetime</c>.</param>
/// <param name="Values">Its values or units.</param>
public sealed record CodebookEntry(string Name, string Label, string Type, string Values);

/// <summary>
/// The long responses table (<c>responses.csv</c>: one row per response, the <c>Responses</c> table's columns plus the
/// dyad's arm, the rater, the cluster and the outcome; the answer and score columns those of the study's instruments,
/// <see cref="ResponseLayout"/>) and its codebook, written through CsvHelper as RFC 4180 (comma,
/// CRLF, quotes where needed). Formula injection: a text cell that starts with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab
/// or a carriage return gets a <c>'</c> in front (CsvHelper's <see cref="CsvInjection.Escape"/>, quoted), so a spreadsheet
/// shows it as text instead of running it; numbers are written by us and never start so.
/// </summary>
public static class ResponseTables
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The columns before the answers.</summary>
    private static readonly string[] Leading = ["StudyId", "AssessmentId", "SiteId", "DyadId", "ArmId", "Meeting", "RaterRole", "RaterId"];

    /// <summary>The columns after the scores.</summary>
    private static readonly string[] Trailing = ["SubmittedAt", "Provenance", "Cluster", "ClusterLabel", "Employed", "JobDate", "DaysToJob"];

    /// <summary>
    /// The columns of <c>responses.csv</c> for <paramref name="layout"/>, in order: the ids, <c>Item01</c>..<c>ItemNN</c>,
    /// the score columns, the time, the provenance, cluster and outcome (for the WAI: …, <c>Item01</c>..<c>Item12</c>,
    /// <c>Goal</c>, <c>Task</c>, <c>Bond</c>, <c>Global</c>, <c>SubmittedAt</c>, <c>Provenance</c>, …).
    /// </summary>
    public static IReadOnlyList<string> ColumnsOf(ResponseLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return [.. Leading, .. layout.ItemColumns, .. layout.ScoreColumns, .. Trailing];
    }

    /// <summary>The writer's options: RFC 4180 with formula injection escaped.</summary>
    public static CsvWriterOptions WriterOptions { get; } = CsvWriterOptions.Default with { Injection = CsvInjection.Escape };

    /// <summary>
    /// responses.csv: sorted by dyad, meeting, rater role (ordinal) and time (<see cref="ResponseRowLookups.Order"/>); doubles
    /// written to round-trip exactly (shortest form), dates ISO 8601 UTC; an empty cell is a missing value.
    /// <paramref name="report"/> adds the cluster of each clustered dyad (on all its rows, whichever role rated); without it
    /// those columns are empty.
    /// </summary>
    public static string ResponsesCsv(ReportInput input, StudyReport? report = null)
    {
        var lookups = ResponseRowLookups.Of(input);
        var clusters = report?.Clusters.SelectMany(c => c.DyadIds.Select(id => (id, c))).ToDictionary(p => p.id, p => p.c, StringComparer.Ordinal)
            ?? new Dictionary<string, ClusterSummary>(StringComparer.Ordinal);
        using var text = new StringWriter(Inv);
        using (var csv = CsvWriter.Create(text, WriterOptions, leaveOpen: true))
        {
            csv.WriteRecord([.. ColumnsOf(lookups.Layout)]);
            foreach (var row in ResponseRowLookups.Rows(input)) csv.WriteRecord(Record(row, lookups, clusters.GetValueOrDefault(row.Response.DyadId)));
        }
        return text.ToString();
    }

    /// <summary>
    /// responses.csv as <see cref="ResponsesCsv"/> writes it (cluster columns empty: no report), written to
    /// <paramref name="destination"/> as it is made (UTF-8, CsvHelper flushing its buffer as it fills), never held whole.
    /// </summary>
    public static Task WriteResponsesCsvAsync(ReportInput input, Stream destination, Action onRow, CancellationToken ct) =>
        WriteResponsesCsvAsync(ResponseRowLookups.Of(input), ResponseRowLookups.Rows(input).ToAsyncEnumerable(), destination, onRow, ct);

    /// <summary>
    /// responses.csv of <paramref name="rows"/> (given in <see cref="ResponseRowLookups.Order"/>), each row written to
    /// <paramref name="destination"/> as it comes (CsvHelper flushing its buffer as it fills), cluster columns empty;
    /// <paramref name="onRow"/> is called after each response's row.
    /// </summary>
    public static async Task WriteResponsesCsvAsync(ResponseRowLookups lookups, IAsyncEnumerable<ResponseRow> rows, Stream destination, Action onRow, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lookups);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(onRow);
        var csv = CsvWriter.Create(destination, WriterOptions, leaveOpen: true);
        await using (csv.ConfigureAwait(false))
        {
            await csv.WriteRecordAsync([.. ColumnsOf(lookups.Layout)], ct).ConfigureAwait(false);
            await foreach (var row in rows.WithCancellation(ct).ConfigureAwait(false))
            {
                await csv.WriteRecordAsync(Record(row, lookups, null), ct).ConfigureAwait(false);
                onRow();
            }
            await csv.FlushAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>One response's record of responses.csv, with its dyad's cluster when it was clustered.</summary>
    public static string?[] Record(ResponseRow row, ResponseRowLookups lookups, ClusterSummary? cluster)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(lookups);
        var (r, layout) = (row.Response, lookups.Layout);
        var outcome = row.Dyad.Outcome;
        return
        [
            r.StudyId, r.AssessmentId, r.SiteId, r.DyadId, row.Dyad.Arm, r.Meeting.ToString(Inv), r.RaterRole, row.RaterId,
            .. Enumerable.Range(0, layout.ItemCount).Select(i => i < r.Items.Count ? r.Items[i].ToString(Inv) : null),
            .. layout.ScoreColumns.Select(c => D(r.Score(c))), r.SubmittedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", Inv), r.Provenance,
            cluster?.Cluster.ToString(Inv), cluster?.Label,
            outcome is null ? null : outcome.Employed ? "1" : "0",
            outcome?.JobDate?.ToString("yyyy-MM-dd", Inv), outcome?.DaysToJob?.ToString(Inv),
        ];
    }

    /// <summary>The codebook of responses.csv: one entry per column, in the same order.</summary>
    public static IReadOnlyList<CodebookEntry> Codebook(ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var layout = ResponseLayout.Of(input);
        var instruments = layout.Instruments;
        string ItemValues(int number)
        {
            var parts = instruments.Select(p =>
            {
                var i = p.Value;
                var item = i.Items.FirstOrDefault(x => x.Number == number);
                var anchors = string.Join("; ", i.Scale.Anchors.Select(a => $"{a.Value} = {Text(a.Label)}"));
                return $"{p.Key} ({i.Id}): {i.Scale.Min}–{i.Scale.Max} ({anchors})" + (item is null ? "" : $"; subscale {item.Subscale}" + (item.Reverse ? "; reverse scored (min + max − answer) in the scores" : ""));
            });
            var described = string.Join(" | ", parts);
            return described.Length == 0 ? "the instrument's scale" : described;
        }
        // A score column: the instruments that name it, as a subscale's or as the global score's column.
        CodebookEntry Score(string column)
        {
            var subscales = instruments.SelectMany(p => p.Value.Subscales.Where(s => s.Column == column).Select(s => (Role: p.Key, Instrument: p.Value, s.Rule, Items: s.ItemIds.Length, s.Label))).ToArray();
            var globals = instruments.Where(p => p.Value.Global.Column == column).Select(p => (Role: p.Key, Instrument: p.Value, p.Value.Global.Rule, Items: p.Value.Items.Length)).ToArray();
            string Range(InstrumentDefinition i, ScoreRule rule, int items) => rule.Method == ScoreMethod.Sum
                ? $"{i.Scale.Min * items}–{i.Scale.Max * items}"
                : $"{i.Scale.Min}–{i.Scale.Max}";
            string Method(ScoreRule rule) => rule.Method == ScoreMethod.Sum ? "sum" : "mean";
            if (globals.Length > 0)
                return new(column, $"global score: {Method(globals[0].Rule)} of all items after reverse scoring", "double",
                    string.Join(" | ", globals.Select(g => $"{g.Role}: {Range(g.Instrument, g.Rule, g.Items)}, {Method(g.Rule)} of the items")));
            if (subscales.Length > 0)
                return new(column, $"{Text(subscales[0].Label).ToLowerInvariant()} subscale score (after reverse scoring)", "double",
                    string.Join(" | ", subscales.Select(s => $"{s.Role}: {Range(s.Instrument, s.Rule, s.Items)}, {Method(s.Rule)} of its items")));
            return new(column, "score (after reverse scoring) of an instrument the study no longer names", "double", "on the instrument's scale");
        }
        var entries = new List<CodebookEntry>
        {
            new("StudyId", "study id", "string", "one value: " + input.StudyId),
            new("AssessmentId", "assessment id: one per dyad × meeting × rater role ({dyad}-m{meeting}-{role})", "string", "unique"),
            new("SiteId", "the dyad's site", "string", string.Join("; ", input.Sites.Select(s => s.Id))),
            new("DyadId", "practitioner–client pair (pseudonymous code)", "string", "codes"),
            new("ArmId", "the dyad's arm (empty when the study has none recorded)", "string", string.Join("; ", input.Arms.Select(a => a.Id))),
            new("Meeting", "meeting number after which the form was filled", "integer", "1.." + (input.PlannedMeetings?.ToString(Inv) ?? "T")),
            new("RaterRole", "who rated", "string", "practitioner; client"),
            new("RaterId", "the rater (pseudonymous id; empty when the assessment is unknown)", "string", "codes"),
        };
        for (var i = 1; i <= layout.ItemCount; i++) entries.Add(new(ResponseColumns.Item(i), $"answer to item {i} as given (before reverse scoring)", "integer", ItemValues(i)));
        entries.AddRange(layout.ScoreColumns.Select(Score));
        entries.AddRange(
        [
            new("SubmittedAt", "when the answers were taken", "datetime", "ISO 8601, UTC"),
            new("Provenance", "how the answers came: through the link mailed to the rater, through a link a coordinator was handed for a rater reached another way (e.g. by phone), or imported from a file of ratings the study already had", "string",
                $"{ResponseProvenance.RaterLink} = the rater's mailed link; {ResponseProvenance.HandOver} = a coordinator hand-over; {ResponseProvenance.Imported} = imported from a file (alliance responses import)"),
            new("Cluster", "the dyad's cluster (R's cutree number) in this report; empty when the dyad was not clustered", "integer", "1..k"),
            new("ClusterLabel", "the cluster's pattern label (unique)", "string", "SHA stable high; SLA stable low; LDA linear decrease; LIA linear increase; U U-shaped; InvU inverted U (with a distinguishing suffix when two share a code)"),
            new("Employed", "the dyad's recorded outcome: the client got a job", "integer", "1 = yes; 0 = no; empty = not recorded"),
            new("JobDate", "the day the job started", "date", "yyyy-MM-dd; empty when not employed or not recorded"),
            new("DaysToJob", "days from the dyad's enrolment to the job's start", "integer", "days; empty when unknown"),
        ]);
        return entries;
    }

    /// <summary>codebook.csv: <c>name,label,type,values</c>, one row per column of responses.csv.</summary>
    public static string CodebookCsv(ReportInput input)
    {
        using var text = new StringWriter(Inv);
        using (var csv = CsvWriter.Create(text, WriterOptions, leaveOpen: true))
        {
            csv.WriteRecord(["name", "label", "type", "values"]);
            foreach (var e in Codebook(input)) csv.WriteRecord([e.Name, e.Label, e.Type, e.Values]);
        }
        return text.ToString();
    }

    /// <summary>
    /// dyads.csv: one row per dyad the report knows (enrolled, rated, with an outcome or a covariate; ordinal order of ids):
    /// <c>DyadId, Enrolled</c> (1: a dyad of the study's participants; 0: known from its ratings, outcome or covariates only), <c>Withdrawn</c> (1/0), <c>Employed</c> (1/0 of its latest outcome, empty when none), <c>DaysWorked</c>,
    /// <c>TenureDays</c> (its latest outcome's, empty when not recorded), then one column per covariate the study file
    /// declares, in file order, named by it (a level or a number; empty when not recorded). What <c>reproduce.R</c> needs
    /// beyond <c>responses.csv</c> for the flow of dyads, the regressions and the covariate tables.
    /// </summary>
    public static string DyadsCsv(ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var outcomes = input.Outcomes.GroupBy(o => o.DyadId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.OrderBy(o => o.RecordedAt).Last(), StringComparer.Ordinal);
        var enrolled = input.Dyads.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var withdrawn = input.Dyads.Where(d => d.Withdrawn).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var ids = input.Dyads.Select(d => d.Id).Concat(input.Responses.Select(r => r.DyadId)).Concat(outcomes.Keys).Concat(input.CovariateValues.Keys)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        using var text = new StringWriter(Inv);
        using (var csv = CsvWriter.Create(text, WriterOptions, leaveOpen: true))
        {
            csv.WriteRecord([.. DyadColumns, .. input.Covariates.Select(c => c.Name)]);
            foreach (var id in ids)
            {
                var outcome = outcomes.GetValueOrDefault(id);
                csv.WriteRecord(
                [
                    id, enrolled.Contains(id) ? "1" : "0", withdrawn.Contains(id) ? "1" : "0", outcome is null ? null : outcome.Employed ? "1" : "0",
                    ReportCovariates.Days(input, id, StudyInputs.DaysWorkedField)?.ToString(Inv), ReportCovariates.Days(input, id, StudyInputs.TenureDaysField)?.ToString(Inv),
                    .. input.Covariates.Select(c => ReportCovariates.Value(input, id, c.Name) is { } v ? v.Level ?? v.Number?.ToString("R", Inv) : null),
                ]);
            }
        }
        return text.ToString();
    }

    /// <summary>The columns of dyads.csv before the covariates.</summary>
    public static readonly IReadOnlyList<string> DyadColumns = ["DyadId", "Enrolled", "Withdrawn", "Employed", "DaysWorked", "TenureDays"];

    private static string Text(LocalizedText text) => text.Get(text.Has("en") ? "en" : text.Languages.First());

    /// <summary>A double written to round-trip exactly; empty when not finite.</summary>
    private static string? D(double x) => double.IsFinite(x) ? x.ToString("R", Inv) : null;
}
