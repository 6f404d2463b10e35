using System.Globalization;
using System.Text;
using System.Text.Json;
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
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true };

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
        var lookups = ResponseRowLookups.Of(input);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteStart(writer, lookups);
            foreach (var row in ResponseRowLookups.Rows(input)) WriteResponse(writer, row, lookups);
            writer.WriteEndArray();
            writer.WriteStartArray("outcomes");
            foreach (var outcome in ResponseRowLookups.Outcomes(input)) WriteOutcome(writer, outcome);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>
    /// The document <see cref="Json"/> gives, written to <paramref name="destination"/> as it is made (flushed whenever
    /// <see cref="JsonStream.FlushBytes"/> have gathered), never held whole; <paramref name="onRow"/> is called after each response.
    /// </summary>
    public static Task WriteJsonAsync(ReportInput input, Stream destination, Action onRow, CancellationToken ct) =>
        WriteJsonAsync(ResponseRowLookups.Of(input), ResponseRowLookups.Rows(input).ToAsyncEnumerable(), ResponseRowLookups.Outcomes(input).ToAsyncEnumerable(), destination, onRow, ct);

    /// <summary>
    /// The document of <paramref name="rows"/> (given in <see cref="ResponseRowLookups.Order"/>) and
    /// <paramref name="outcomes"/> (in dyad order), each response and outcome written to <paramref name="destination"/> as
    /// it comes (flushed whenever <see cref="JsonStream.FlushBytes"/> have gathered); <paramref name="onRow"/> is called
    /// after each response.
    /// </summary>
    public static async Task WriteJsonAsync(ResponseRowLookups lookups, IAsyncEnumerable<ResponseRow> rows, IAsyncEnumerable<ReportOutcome> outcomes, Stream destination, Action onRow, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lookups);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(onRow);
        using var json = new JsonStream(destination, WriterOptions);
        WriteStart(json.Writer, lookups);
        await foreach (var row in rows.WithCancellation(ct).ConfigureAwait(false))
        {
            WriteResponse(json.Writer, row, lookups);
            onRow();
            await json.SendAsync(ct).ConfigureAwait(false);
        }
        json.Writer.WriteEndArray();
        json.Writer.WriteStartArray("outcomes");
        await foreach (var outcome in outcomes.WithCancellation(ct).ConfigureAwait(false))
        {
            WriteOutcome(json.Writer, outcome);
            await json.SendAsync(ct).ConfigureAwait(false);
        }
        json.Writer.WriteEndArray();
        json.Writer.WriteEndObject();
        await json.SendAsync(ct, all: true).ConfigureAwait(false);
    }

    /// <summary>The document up to its <c>responses</c> array, opened.</summary>
    private static void WriteStart(Utf8JsonWriter w, ResponseRowLookups lookups)
    {
        w.WriteStartObject();
        w.WriteString("studyId", lookups.StudyId);
        w.WriteString("studyName", lookups.StudyName);
        w.WriteString("exportedAt", lookups.GeneratedAt);
        w.WriteStartObject("instruments");
        foreach (var (role, instrument) in lookups.Instruments.OrderBy(p => p.Key, StringComparer.Ordinal)) w.WriteString(role, instrument.Id);
        w.WriteEndObject();
        w.WriteStartArray("responses");
    }

    /// <summary>One response of the <c>responses</c> array.</summary>
    public static void WriteResponse(Utf8JsonWriter w, ResponseRow row, ResponseRowLookups lookups)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(lookups);
        var r = row.Response;
        w.WriteStartObject();
        w.WriteString("assessmentId", r.AssessmentId);
        w.WriteString("siteId", r.SiteId);
        w.WriteString("dyadId", r.DyadId);
        w.WriteString("armId", row.Dyad.RecordedArm);
        w.WriteNumber("meeting", r.Meeting);
        w.WriteString("raterRole", r.RaterRole);
        w.WriteString("raterId", row.RaterId);
        w.WriteStartArray("items");
        foreach (var item in r.Items) w.WriteNumberValue(item);
        w.WriteEndArray();
        foreach (var column in lookups.Layout.ScoreColumns) Number(w, JsonNamingPolicy.CamelCase.ConvertName(column), r.Score(column));
        w.WriteString("submittedAt", r.SubmittedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        w.WriteString("provenance", r.Provenance);
        w.WriteEndObject();
    }

    /// <summary>One outcome of the <c>outcomes</c> array.</summary>
    private static void WriteOutcome(Utf8JsonWriter w, ReportOutcome o)
    {
        w.WriteStartObject();
        w.WriteString("dyadId", o.DyadId);
        w.WriteBoolean("employed", o.Employed);
        w.WriteString("jobDate", o.JobDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (o.DaysToJob is { } days) w.WriteNumber("daysToJob", days);
        else w.WriteNull("daysToJob");
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
