using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Instruments;

namespace AlliancePipeline.Functions.Reports;

/// <summary>A stored response as a row of <c>responses.csv</c> and the exports write it: the response and its rater.</summary>
/// <param name="Response">The stored response.</param>
/// <param name="RaterId">Its assessment's rater (pseudonymous id), null when the assessment is unknown.</param>
public sealed record ResponseRow(StoredResponse Response, string? RaterId);

/// <summary>
/// What the rows of a study's responses are written with besides the responses: the study, the instruments by role, the
/// columns (<see cref="ResponseLayout"/>), each dyad's arm and latest outcome and the outcomes. Small: a few records per
/// dyad, never a response. The report set makes it from its whole <see cref="ReportInput"/> (<see cref="Of"/>), the
/// streamed exports from what they read before the responses (<c>Exports.ExportReader</c>); both then hand the rows, in
/// <see cref="Order"/>, to the same per-row writers (<see cref="ResponseTables.Record"/>,
/// <c>ResponseExport.WriteResponse</c>, <c>FhirExport.ToQuestionnaireResponse</c>).
/// </summary>
public sealed class ResponseRowLookups
{
    /// <summary>The study.</summary>
    public required string StudyId { get; init; }

    /// <summary>Its name.</summary>
    public required string StudyName { get; init; }

    /// <summary>When the file was made.</summary>
    public required DateTimeOffset GeneratedAt { get; init; }

    /// <summary>The instruments by role.</summary>
    public required IReadOnlyDictionary<string, InstrumentDefinition> Instruments { get; init; }

    /// <summary>The answer and score columns.</summary>
    public required ResponseLayout Layout { get; init; }

    /// <summary>Each dyad's arm as the study's dyads record it (the JSON export's <c>armId</c>).</summary>
    public required IReadOnlyDictionary<string, string?> DyadArms { get; init; }

    /// <summary>Each dyad's arm as <c>responses.csv</c> gives it: its dyad record's, else its first assessment's that names one.</summary>
    public required IReadOnlyDictionary<string, string> Arms { get; init; }

    /// <summary>The outcomes (one per dyad, as recorded).</summary>
    public required IReadOnlyList<ReportOutcome> Outcomes { get; init; }

    /// <summary>Each dyad's latest outcome.</summary>
    public IReadOnlyDictionary<string, ReportOutcome> LatestOutcomes => _latest ??= Outcomes.GroupBy(o => o.DyadId, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.OrderBy(o => o.RecordedAt).Last(), StringComparer.Ordinal);

    private Dictionary<string, ReportOutcome>? _latest;

    /// <summary>The lookups of a whole report input.</summary>
    public static ResponseRowLookups Of(ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var dyadArms = input.Dyads.Where(d => d.ArmId is not null).ToDictionary(d => d.Id, d => d.ArmId, StringComparer.Ordinal);
        var arms = dyadArms.ToDictionary(p => p.Key, p => p.Value!, StringComparer.Ordinal);
        foreach (var a in input.Assessments.Where(a => a.ArmId is not null)) arms.TryAdd(a.DyadId, a.ArmId!);
        return new ResponseRowLookups
        {
            StudyId = input.StudyId,
            StudyName = input.StudyName,
            GeneratedAt = input.GeneratedAt,
            Instruments = input.Instruments,
            Layout = ResponseLayout.Of(input),
            DyadArms = dyadArms,
            Arms = arms,
            Outcomes = input.Outcomes,
        };
    }

    /// <summary>
    /// The order of the rows: dyad (ordinal), meeting (numeric), rater role (ordinal), time of submission; rows equal in all
    /// four keep the order they were read in (a stable sort).
    /// </summary>
    public static IOrderedEnumerable<ResponseRow> Order(IEnumerable<ResponseRow> rows) =>
        rows.OrderBy(r => r.Response.DyadId, StringComparer.Ordinal).ThenBy(r => r.Response.Meeting).ThenBy(r => r.Response.RaterRole, StringComparer.Ordinal).ThenBy(r => r.Response.SubmittedAt);

    /// <summary>A whole report input's rows, each with its rater, in <see cref="Order"/>.</summary>
    public static IEnumerable<ResponseRow> Rows(ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var raterOf = input.Assessments.ToDictionary(a => a.Id, a => a.RaterId, StringComparer.Ordinal);
        return Order(input.Responses.Select(r => new ResponseRow(r, raterOf.GetValueOrDefault(r.AssessmentId))));
    }
}
