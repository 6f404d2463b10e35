using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using AlliancePipeline.Core.Schemas;

namespace AlliancePipeline.Core.Studies;

/// <summary>One problem in a study file: where it is and what is wrong, in plain words.</summary>
/// <param name="Source">The file's name as the caller gave it (e.g. <c>study.yaml</c>).</param>
/// <param name="Line">1-based line in the study file.</param>
/// <param name="Column">1-based column in the study file.</param>
/// <param name="Field">
/// The field's path, list positions counted from 0 (e.g. <c>dyads[3].practitioner</c>, <c>sites[0].coordinators[1].email</c>);
/// empty when the problem is the whole file.
/// </param>
/// <param name="Message">What is wrong, naming the ids involved (e.g. "rater 'p-009' is not listed under raters").</param>
public sealed record StudyFileError(string Source, int Line, int Column, string Field, string Message)
{
    /// <summary><c>study.yaml:12:5: dyads[3].practitioner: rater 'p-009' is not listed under raters</c>.</summary>
    public override string ToString() =>
        Field.Length == 0 ? $"{Source}:{Line}:{Column}: {Message}" : $"{Source}:{Line}:{Column}: {Field}: {Message}";
}

/// <summary>The outcome of reading a study file: the definition, or every problem found (never both).</summary>
public sealed class StudyFileResult
{
    private readonly Func<string, (int Line, int Column)> _positionOf;

    internal StudyFileResult(string source, StudyDefinition? definition, ImmutableArray<StudyFileError> errors,
        Func<string, (int Line, int Column)> positionOf)
    {
        Source = source;
        Definition = errors.IsEmpty ? definition : null;
        Errors = errors;
        _positionOf = positionOf;
    }

    /// <summary>The file's name as the caller gave it.</summary>
    public string Source { get; }

    /// <summary>The study, when the file has no error; else null.</summary>
    public StudyDefinition? Definition { get; }

    /// <summary>Every problem, in the order they appear in the file.</summary>
    public ImmutableArray<StudyFileError> Errors { get; }

    /// <summary>True when the file has no error and <see cref="Definition"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Definition))]
    public bool IsValid => Definition is not null;

    /// <summary>An error at a field of this file (the line and column of its name, else line 1).</summary>
    internal StudyFileError ErrorAt(string field, string message)
    {
        var (line, column) = _positionOf(field);
        return new StudyFileError(Source, line, column, field, message);
    }
}

/// <summary>
/// Study files: YAML (or JSON, which is YAML) describing a study; see <c>docs/study-file.md</c> and
/// <c>Studies/study.schema.json</c>. Reading does no I/O: the text is passed in, and the study's own instrument
/// files are read through a delegate the caller supplies.
/// </summary>
public static class StudyFile
{
    /// <summary>The longest dyad code: its assessment ids (<c>{dyad}-m{n}-practitioner</c>) must stay valid table keys.</summary>
    public const int MaxDyadIdLength = 40;

    /// <summary>The most meetings a study may schedule.</summary>
    public const int MaxMeetings = 20;

    /// <summary>
    /// Reads and checks a study file: the text as YAML, the shape against <c>study.schema.json</c>, then the
    /// cross-references. Every problem is reported at once, each with its line, field and a plain message; unknown
    /// fields are problems too.
    /// </summary>
    /// <param name="text">The file's text: YAML, or JSON.</param>
    /// <param name="sourceName">The file's name for messages (e.g. <c>studies/alpha.yaml</c>).</param>
    /// <param name="readRelativeFile">
    /// Reads a study's own instrument file named by <c>file:</c> (a path relative to the study file, with '/'
    /// separators, no '..' and not absolute: Core checks this before calling). Returns the text, or null when there is
    /// no such file. The CLI reads beside the study file; the HTTP function may accept no files at all
    /// (<c>_ =&gt; null</c>).
    /// </param>
    public static StudyFileResult Parse(string text, string sourceName, Func<string, string?> readRelativeFile)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentNullException.ThrowIfNull(readRelativeFile);
        return StudyFileReader.Read(text, sourceName, readRelativeFile);
    }

    /// <summary>
    /// Reads a study file for applying it over the study as last applied (<paramref name="applied"/>, null the first
    /// time), and says what applying it changes. Besides <see cref="Parse"/>'s checks it refuses a file that is for
    /// another study, or that leaves out a dyad the applied study has: dyads are never removed, only withdrawn
    /// (<c>withdrawn: true</c>), because their data stays. Nothing is applied here: the caller stores
    /// <see cref="StudyApplyResult.Definition"/> and acts on <see cref="StudyApplyResult.Changes"/> only when there is
    /// no error, so nothing is half-applied.
    /// </summary>
    public static StudyApplyResult PrepareApply(StudyDefinition? applied, string text, string sourceName, Func<string, string?> readRelativeFile)
    {
        var read = Parse(text, sourceName, readRelativeFile);
        if (!read.IsValid)
        {
            return new StudyApplyResult(null, null, read.Errors);
        }

        var next = read.Definition;
        if (applied is not null && applied.Id != next.Id)
        {
            return new StudyApplyResult(null, null,
                [read.ErrorAt("id", $"this file is for study '{next.Id}', but it is being applied over study '{applied.Id}'")]);
        }

        var nextDyads = next.Dyads.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var missing = applied?.Dyads.Where(d => !nextDyads.Contains(d.Id)).ToList() ?? [];
        if (missing.Count > 0)
        {
            return new StudyApplyResult(null, null, missing.Select(d => read.ErrorAt("dyads",
                    $"dyad '{d.Id}' was enrolled by an earlier version of this study file and cannot be removed: keep it and set withdrawn: true (its data stays)"))
                .ToImmutableArray());
        }

        return new StudyApplyResult(next, StudyChanges.Between(applied, next), []);
    }

    /// <summary>
    /// The JSON Schema (draft 2020-12) of the study file format, as shipped in this assembly: <see cref="Parse"/>
    /// validates every file against it.
    /// </summary>
    public static string SchemaText() => SchemaSet.StudyText();
}

/// <summary>
/// The outcome of <see cref="StudyFile.PrepareApply"/>: the definition to store and the changes to carry out, or the
/// errors (then nothing may be applied).
/// </summary>
/// <param name="Definition">The study as the file describes it; null when there are errors.</param>
/// <param name="Changes">What applying it changes over the applied study; null when there are errors.</param>
/// <param name="Errors">Every problem; empty when the file can be applied.</param>
public sealed record StudyApplyResult(StudyDefinition? Definition, StudyChanges? Changes, ImmutableArray<StudyFileError> Errors)
{
    /// <summary>True when the file can be applied.</summary>
    [MemberNotNullWhen(true, nameof(Definition), nameof(Changes))]
    public bool IsValid => Errors.IsEmpty && Definition is not null && Changes is not null;
}
