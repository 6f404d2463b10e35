using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Functions.Infrastructure.Outcomes;

/// <summary>What kind of refusal a service answers: the edge gives each its status.</summary>
public enum RefusalKind
{
    /// <summary>The request is wrong (400).</summary>
    Invalid,
    /// <summary>The key is good but does not reach what was asked (403).</summary>
    Forbidden,
    /// <summary>No such thing, or none the caller may see (404).</summary>
    NotFound,
    /// <summary>Not in the state things are in (409).</summary>
    Conflict,
    /// <summary>A body longer than the request may carry (413).</summary>
    TooLarge,
}

/// <summary>
/// A request a service refused, in the words its caller is given: a title, a detail, and, for a file or an import with
/// several bad lines, every error (answered as the problem's <c>errors</c>). Services answer these; the edge turns them
/// into problem details or a page.
/// </summary>
/// <param name="Kind">What kind of refusal.</param>
/// <param name="Title">A short title, e.g. <c>No such study</c>.</param>
/// <param name="Detail">What is wrong, e.g. <c>No study file was applied for study 'x'.</c></param>
public sealed record Refusal(RefusalKind Kind, string Title, string Detail)
{
    /// <summary>Every error, one record each (line, field, message), when there are several; null otherwise.</summary>
    public IReadOnlyList<object>? Errors { get; init; }

    /// <summary>How many errors there are in all when <see cref="Errors"/> lists only the first of them (answered as <c>errorCount</c>); null otherwise.</summary>
    public int? ErrorCount { get; init; }

    /// <summary>400.</summary>
    public static Refusal Invalid(string title, string detail) => new(RefusalKind.Invalid, title, detail);

    /// <summary>403.</summary>
    public static Refusal Forbidden(string title, string detail) => new(RefusalKind.Forbidden, title, detail);

    /// <summary>404.</summary>
    public static Refusal NotFound(string title, string detail) => new(RefusalKind.NotFound, title, detail);

    /// <summary>409.</summary>
    public static Refusal Conflict(string title, string detail) => new(RefusalKind.Conflict, title, detail);

    /// <summary>413.</summary>
    public static Refusal TooLarge(string title, string detail) => new(RefusalKind.TooLarge, title, detail);

    /// <summary>
    /// A CSV import refused, nothing recorded: 404 when a line names a dyad not in the study as the caller sees it (as a
    /// single record's route answers), else 400; the first <see cref="StudyCsv.MaxListedErrors"/> problems listed and all counted.
    /// </summary>
    public static Refusal OfImport<T>(string title, CsvImport<T> import)
    {
        ArgumentNullException.ThrowIfNull(import);
        return import.NamesUnknownDyad
            ? OfLines(RefusalKind.NotFound, "No such dyad", import.Errors, import.ErrorCount, import.RefusedLines)
            : OfLines(RefusalKind.Invalid, title, import.Errors, import.ErrorCount, import.RefusedLines);
    }

    /// <summary>An import refused for the lines <paramref name="errors"/> lists (of <paramref name="errorCount"/> problems on <paramref name="refusedLines"/> lines); nothing was recorded.</summary>
    public static Refusal OfLines(RefusalKind kind, string title, IReadOnlyList<CsvLineError> errors, int errorCount, int refusedLines)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var first = errors[0];
        var listed = errorCount > errors.Count ? $" errors lists the first {errors.Count} of {errorCount} problems." : "";
        var detail = $"{refusedLines} line(s) refused; nothing was recorded. The first: line {first.Line}: {first.Message}.{listed}";
        return new Refusal(kind, title, detail) { Errors = [.. errors], ErrorCount = errorCount };
    }
}
