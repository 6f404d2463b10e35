using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Instruments;

namespace AlliancePipeline.Functions.Reports;

/// <summary>A stored response as a row of <c>responses.csv</c> and the exports write it: the response, its rater and what its dyad's records say.</summary>
/// <param name="Response">The stored response.</param>
/// <param name="RaterId">Its assessment's rater (pseudonymous id), null when the assessment is unknown.</param>
/// <param name="Dyad">Its dyad's arm and latest outcome.</param>
public sealed record ResponseRow(StoredResponse Response, string? RaterId, RowDyad Dyad);

/// <summary>What a row's dyad contributes to it besides the response.</summary>
/// <param name="RecordedArm">The arm as the study's dyads record it (the JSON export's <c>armId</c>); for a study with no
/// dyad records (seeded without a file), its first assessment's.</param>
/// <param name="Arm">The arm as <c>responses.csv</c> gives it: its dyad record's, else its first assessment's that names one.</param>
/// <param name="Outcome">Its latest outcome, null when none is recorded.</param>
public sealed record RowDyad(string? RecordedArm, string? Arm, ReportOutcome? Outcome)
{
    /// <summary>A dyad with no arm and no outcome.</summary>
    public static RowDyad None { get; } = new(null, null, null);
}

/// <summary>
/// What the rows of a study's responses are written with besides the rows themselves: the study, the instruments by role
/// and the columns (<see cref="ResponseLayout"/>). Small, and the same size whatever the study's size: what concerns a dyad
/// comes with each of its rows (<see cref="ResponseRow.Dyad"/>). The report set makes it from its whole
/// <see cref="ReportInput"/> (<see cref="Of"/>, its rows from <see cref="Rows"/>), the streamed exports from what they count
/// before the responses (<c>Exports.ExportReader</c>); both then hand the rows, in <see cref="Order"/>, to the same per-row
/// writers (<see cref="ResponseTables.Record"/>, <c>ResponseExport.WriteResponse</c>, <c>FhirExport.ToQuestionnaireResponse</c>).
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

    /// <summary>The lookups of a whole report input.</summary>
    public static ResponseRowLookups Of(ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ResponseRowLookups
        {
            StudyId = input.StudyId,
            StudyName = input.StudyName,
            GeneratedAt = input.GeneratedAt,
            Instruments = input.Instruments,
            Layout = ResponseLayout.Of(input),
        };
    }

    /// <summary>A whole report input's outcomes in dyad order (ordinal; a dyad's in the order recorded).</summary>
    public static IEnumerable<ReportOutcome> Outcomes(ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Outcomes.OrderBy(o => o.DyadId, StringComparer.Ordinal);
    }

    /// <summary>
    /// The order of the rows: dyad (ordinal), meeting (numeric), rater role (ordinal), time of submission; rows equal in all
    /// four keep the order they were read in (a stable sort).
    /// </summary>
    public static IOrderedEnumerable<ResponseRow> Order(IEnumerable<ResponseRow> rows) =>
        rows.OrderBy(r => r.Response.DyadId, StringComparer.Ordinal).ThenBy(r => r.Response.Meeting).ThenBy(r => r.Response.RaterRole, StringComparer.Ordinal).ThenBy(r => r.Response.SubmittedAt);

    /// <summary>A whole report input's rows, each with its rater and its dyad's arm and latest outcome, in <see cref="Order"/>.</summary>
    public static IEnumerable<ResponseRow> Rows(ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var raterOf = input.Assessments.ToDictionary(a => a.Id, a => a.RaterId, StringComparer.Ordinal);
        var recorded = input.Dyads.Where(d => d.ArmId is not null).ToDictionary(d => d.Id, d => d.ArmId, StringComparer.Ordinal);
        var arms = recorded.ToDictionary(p => p.Key, p => p.Value!, StringComparer.Ordinal);
        foreach (var a in input.Assessments.Where(a => a.ArmId is not null)) arms.TryAdd(a.DyadId, a.ArmId!);
        var latest = input.Outcomes.GroupBy(o => o.DyadId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.OrderBy(o => o.RecordedAt).Last(), StringComparer.Ordinal);
        var dyads = new Dictionary<string, RowDyad>(StringComparer.Ordinal);
        RowDyad DyadOf(string id)
        {
            if (!dyads.TryGetValue(id, out var dyad))
                dyads[id] = dyad = new RowDyad(recorded.GetValueOrDefault(id), arms.GetValueOrDefault(id), latest.GetValueOrDefault(id));
            return dyad;
        }
        return Order(input.Responses.Select(r => new ResponseRow(r, raterOf.GetValueOrDefault(r.AssessmentId), DyadOf(r.DyadId))));
    }
}
