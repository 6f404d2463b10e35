using System.Text;
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

/// <summary>
/// A study's responses for other tools, read from storage (<see cref="ReportSource"/>) and written by the pure exporters:
/// <c>csv</c> (<see cref="ResponseExport.Csv"/>, the long table of the report's responses.csv), <c>json</c>
/// (<see cref="ResponseExport.Json"/>) and <c>fhir</c> (<see cref="FhirExport.Study"/>: a FHIR R4 collection bundle of the
/// instruments' Questionnaires and one QuestionnaireResponse per response). For the <c>export</c> command and route.
/// </summary>
public sealed class ExportService(ReportSource source, TimeProvider clock)
{
    /// <summary>The formats, as the command and route name them.</summary>
    public static readonly IReadOnlyList<string> Formats = ["csv", "json", "fhir"];

    /// <summary>The study's export in <paramref name="format"/>, or null when there is no such study.</summary>
    /// <exception cref="ArgumentException">The format is not one of <see cref="Formats"/> (the message lists them).</exception>
    public async Task<ExportFile?> ExportAsync(string studyId, string format, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(format);
        var kind = format.Trim().ToLowerInvariant();
        if (!Formats.Contains(kind))
            throw new ArgumentException($"'{format}' is not an export format: use {string.Join(", ", Formats)}.", nameof(format));
        var now = clock.GetUtcNow();
        var data = await source.ReadAsync(studyId, "export", now, null, ct).ConfigureAwait(false);
        if (data is null) return null;
        var input = data.Input;
        return kind switch
        {
            "csv" => new ExportFile($"{studyId}-responses.csv", "text/csv; charset=utf-8", Encoding.UTF8.GetBytes(ResponseExport.Csv(input))) { Rows = input.Responses.Count },
            "json" => new ExportFile($"{studyId}-responses.json", "application/json; charset=utf-8", Encoding.UTF8.GetBytes(ResponseExport.Json(input))) { Rows = input.Responses.Count },
            _ => Fhir(studyId, FhirExport.Study(input)),
        };
    }

    private static ExportFile Fhir(string studyId, Hl7.Fhir.Model.Bundle bundle) =>
        new($"{studyId}-fhir.json", "application/fhir+json; charset=utf-8", Encoding.UTF8.GetBytes(FhirExport.ToJson(bundle)))
        {
            Rows = bundle.Entry.Count(e => e.Resource is Hl7.Fhir.Model.QuestionnaireResponse),
        };
}
