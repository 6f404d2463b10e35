using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Functions.Reports;

namespace AlliancePipeline.Functions.Exports;

/// <summary>
/// A study's responses for other tools, without I/O: the long CSV (<see cref="ResponseTables.ResponsesCsv"/>, the same
/// columns as the report's <c>responses.csv</c>, cluster columns empty) and a JSON form of the same rows
/// (numbers as numbers, items as an array, missing values as <c>null</c>). Both follow the study's instruments
/// (<see cref="ResponseLayout"/>): N items, and the instruments' own score columns.
/// </summary>
public static class ResponseExport
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The long CSV: one row per response, RFC 4180, formula cells neutralised.</summary>
    public static string Csv(ReportInput input) => ResponseTables.ResponsesCsv(input);

    /// <summary>
    /// <c>{"studyId", "studyName", "exportedAt", "instruments": {role: id}, "responses": [{assessmentId, siteId, dyadId, armId,
    /// meeting, raterRole, raterId, items: [N], …scores, submittedAt, provenance}], "outcomes": [{dyadId, employed, jobDate,
    /// daysToJob}]}</c>: <c>items</c> the answers as given, one per item of the response's instrument; <c>provenance</c>
    /// <c>rater-link</c> or <c>hand-over</c> (a link a coordinator was handed); a property per score
    /// column of the study's instruments, named as the column in camel case (the WAI: <c>goal</c>, <c>task</c>, <c>bond</c>,
    /// <c>global</c>), <c>null</c> where the response has no such score.
    /// </summary>
    public static string Json(ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var raterOf = input.Assessments.ToDictionary(a => a.Id, a => a.RaterId, StringComparer.Ordinal);
        var armOf = input.Dyads.Where(d => d.ArmId is not null).ToDictionary(d => d.Id, d => d.ArmId, StringComparer.Ordinal);
        var instruments = new JsonObject();
        foreach (var (role, instrument) in input.Instruments.OrderBy(p => p.Key, StringComparer.Ordinal)) instruments[role] = instrument.Id;
        var scoreColumns = ResponseLayout.Of(input).ScoreColumns;
        var doc = new JsonObject
        {
            ["studyId"] = input.StudyId,
            ["studyName"] = input.StudyName,
            ["exportedAt"] = input.GeneratedAt,
            ["instruments"] = instruments,
            ["responses"] = new JsonArray([.. input.Responses
                .OrderBy(r => r.DyadId, StringComparer.Ordinal).ThenBy(r => r.Meeting).ThenBy(r => r.RaterRole, StringComparer.Ordinal)
                .Select(r =>
                {
                    var row = new JsonObject
                    {
                        ["assessmentId"] = r.AssessmentId,
                        ["siteId"] = r.SiteId,
                        ["dyadId"] = r.DyadId,
                        ["armId"] = armOf.GetValueOrDefault(r.DyadId),
                        ["meeting"] = r.Meeting,
                        ["raterRole"] = r.RaterRole,
                        ["raterId"] = raterOf.GetValueOrDefault(r.AssessmentId),
                        ["items"] = new JsonArray([.. r.Items.Select(i => (JsonNode)i)]),
                    };
                    foreach (var column in scoreColumns) row[JsonNamingPolicy.CamelCase.ConvertName(column)] = N(r.Score(column));
                    row["submittedAt"] = r.SubmittedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                    row["provenance"] = r.Provenance;
                    return (JsonNode)row;
                })]),
            ["outcomes"] = new JsonArray([.. input.Outcomes.OrderBy(o => o.DyadId, StringComparer.Ordinal).Select(o => (JsonNode)new JsonObject
            {
                ["dyadId"] = o.DyadId,
                ["employed"] = o.Employed,
                ["jobDate"] = o.JobDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["daysToJob"] = o.DaysToJob,
            })]),
        };
        return doc.ToJsonString(Indented);
    }

    private static JsonNode? N(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
}
