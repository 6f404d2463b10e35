using AlliancePipeline.Functions.Reports;

namespace AlliancePipeline.Functions.Exports;

/// <summary>An exported file: a name to save it under, its content type and its bytes (UTF-8 text).</summary>
/// <param name="Name">File name, e.g. <c>demo-study-responses.csv</c>.</param>
/// <param name="ContentType">MIME type with charset.</param>
/// <param name="Content">The bytes.</param>
public sealed record ExportFile(string Name, string ContentType, byte[] Content)
{
    /// <summary>The rows of personal data it holds (responses; a CSV's records), for the audit of its reading; null when it is not a table.</summary>
    public int? Rows { get; init; }
}

/// <summary>Counts the rows of personal data an export has written so far (for the audit of its reading, even when cut short).</summary>
public sealed class ExportProgress
{
    private int _rows;

    /// <summary>Responses written so far.</summary>
    public int Rows => Volatile.Read(ref _rows);

    /// <summary>One more response written.</summary>
    public void Row() => Interlocked.Increment(ref _rows);
}

/// <summary>
/// An export ready to be written: its name, content type and format, and the writer that streams it to a destination as
/// it is made (its rows read from storage as they are written; neither the rows nor the file are ever held whole).
/// </summary>
/// <param name="Name">File name.</param>
/// <param name="ContentType">MIME type with charset.</param>
/// <param name="Format"><c>csv</c>, <c>json</c> or <c>fhir</c>.</param>
/// <param name="WriteAsync">Writes the file to a stream, counting its responses.</param>
public sealed record ExportStream(string Name, string ContentType, string Format, Func<Stream, ExportProgress, CancellationToken, Task> WriteAsync);

/// <summary>
/// A study's responses for other tools, read from storage as they are written (<see cref="ExportReader"/>: page by page,
/// memory flat in the study's size) by the same per-row writers as the report set's: <c>csv</c>
/// (<see cref="ResponseTables.WriteResponsesCsvAsync(ResponseRowLookups, IAsyncEnumerable{ResponseRow}, Stream, Action, CancellationToken)"/>,
/// the long table of the report's responses.csv), <c>json</c> (<see cref="ResponseExport"/>) and <c>fhir</c>
/// (<see cref="FhirExport"/>: a FHIR R4 collection bundle of the instruments' Questionnaires and one QuestionnaireResponse
/// per response). For the <c>export</c> route (streamed) and tests (<see cref="ExportAsync"/>).
/// </summary>
public sealed class ExportService(ExportReader reader, TimeProvider clock)
{
    /// <summary>The formats, as the command and route name them.</summary>
    public static readonly IReadOnlyList<string> Formats = ["csv", "json", "fhir"];

    /// <summary>The study's export in <paramref name="format"/>, ready to stream, or null when there is no such study.</summary>
    /// <exception cref="ArgumentException">The format is not one of <see cref="Formats"/> (the message lists them).</exception>
    public async Task<ExportStream?> OpenAsync(string studyId, string format, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(format);
        var kind = format.Trim().ToLowerInvariant();
        if (!Formats.Contains(kind))
            throw new ArgumentException($"'{format}' is not an export format: use {string.Join(", ", Formats)}.", nameof(format));
        var data = await reader.OpenAsync(studyId, clock.GetUtcNow(), ct).ConfigureAwait(false);
        if (data is null) return null;
        var (lookups, rows) = (data.Lookups, data.Rows);
        return kind switch
        {
            "csv" => new ExportStream($"{studyId}-responses.csv", "text/csv; charset=utf-8", kind, (s, p, t) => ResponseTables.WriteResponsesCsvAsync(lookups, rows, s, p.Row, t)),
            "json" => new ExportStream($"{studyId}-responses.json", "application/json; charset=utf-8", kind, (s, p, t) => ResponseExport.WriteJsonAsync(lookups, rows, data.Outcomes, s, p.Row, t)),
            _ => new ExportStream($"{studyId}-fhir.json", "application/fhir+json; charset=utf-8", kind, (s, p, t) => FhirExport.WriteStudyAsync(lookups, rows, s, p.Row, t)),
        };
    }

    /// <summary>The study's export in <paramref name="format"/> as one file in memory, or null when there is no such study.</summary>
    /// <exception cref="ArgumentException">The format is not one of <see cref="Formats"/> (the message lists them).</exception>
    public async Task<ExportFile?> ExportAsync(string studyId, string format, CancellationToken ct)
    {
        var export = await OpenAsync(studyId, format, ct).ConfigureAwait(false);
        if (export is null) return null;
        using var buffer = new MemoryStream();
        var progress = new ExportProgress();
        await export.WriteAsync(buffer, progress, ct).ConfigureAwait(false);
        return new ExportFile(export.Name, export.ContentType, buffer.ToArray()) { Rows = progress.Rows };
    }
}
