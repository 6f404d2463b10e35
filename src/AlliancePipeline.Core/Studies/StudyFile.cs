using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

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
    private readonly IReadOnlyDictionary<string, (int Line, int Column)> _positions;

    internal StudyFileResult(string source, StudyDefinition? definition, ImmutableArray<StudyFileError> errors,
        IReadOnlyDictionary<string, (int Line, int Column)> positions)
    {
        Source = source;
        Definition = errors.IsEmpty ? definition : null;
        Errors = errors;
        _positions = positions;
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

    /// <summary>An error at a field of this file (its line and column when the field was read, else line 1).</summary>
    internal StudyFileError ErrorAt(string field, string message)
    {
        var (line, column) = _positions.TryGetValue(field, out var p) ? p : (1, 1);
        return new StudyFileError(Source, line, column, field, message);
    }
}

/// <summary>
/// The fields one kind of object in a study file has. <see cref="SchemaPointer"/> locates the same object in
/// <c>study.schema.json</c>; a test keeps the schema's <c>required</c> and <c>properties</c> equal to these lists.
/// </summary>
/// <param name="Name">What the object is, in words ("a dyad"), for messages.</param>
/// <param name="SchemaPointer">JSON Pointer fragment of the object's schema, e.g. <c>#/$defs/dyad</c>.</param>
/// <param name="Required">Fields that must be there.</param>
/// <param name="Optional">Fields that may be there; any other field is an error.</param>
public sealed record ObjectShape(string Name, string SchemaPointer, ImmutableArray<string> Required, ImmutableArray<string> Optional)
{
    /// <summary>Every field allowed, required first.</summary>
    public IEnumerable<string> Allowed => Required.Concat(Optional);
}

/// <summary>
/// Study files: YAML (or JSON, which is YAML) describing a study; see <c>docs/study-file.md</c> and
/// <c>Studies/study.schema.json</c>. Reading does no I/O: the text is passed in, and the study's own instrument
/// files are read through a delegate the caller supplies.
/// </summary>
public static class StudyFile
{
    private const string SchemaResource = "AlliancePipeline.Core.Studies.study.schema.json";

    /// <summary>The longest dyad code: its assessment ids (<c>{dyad}-m{n}-practitioner</c>) must stay valid table keys.</summary>
    public const int MaxDyadIdLength = 40;

    /// <summary>The most meetings a study may schedule.</summary>
    public const int MaxMeetings = 20;

    /// <summary>The latest expected meeting day, in days after enrolment.</summary>
    public const int MaxExpectedDay = 3650;

    /// <summary>The longest window after a meeting in which its form is due, in days.</summary>
    public const int MaxWindowDays = 90;

    /// <summary>The longest link lifetime a study may set, in days.</summary>
    public const int MaxLinkLifetimeDays = 365;

    /// <summary>The top level of a study file.</summary>
    public static readonly ObjectShape Study = new("the study", "#",
        ["id", "name", "instruments", "meetings", "arms", "sites", "raters", "dyads", "reminders"],
        ["$schema", "reports", "alerts", "linkLifetimeDays"]);

    /// <summary><c>instruments</c>: one entry per rater role.</summary>
    public static readonly ObjectShape Instruments = new("instruments", "#/properties/instruments",
        [RaterRoles.Practitioner], [RaterRoles.Client]);

    /// <summary>An instrument given as <c>file: path</c>.</summary>
    public static readonly ObjectShape InstrumentFile = new("an instrument file reference", "#/$defs/instrumentFile", ["file"], []);

    /// <summary>An entry of <c>meetings</c>.</summary>
    public static readonly ObjectShape Meeting = new("a meeting", "#/$defs/meeting", ["number", "expectedDay", "windowDays"], []);

    /// <summary>An entry of <c>arms</c>.</summary>
    public static readonly ObjectShape Arm = new("an arm", "#/$defs/arm", ["id", "name"], []);

    /// <summary>An entry of <c>sites</c>.</summary>
    public static readonly ObjectShape Site = new("a site", "#/$defs/site", ["id", "name", "coordinators"], []);

    /// <summary>A site coordinator or a report recipient.</summary>
    public static readonly ObjectShape Contact = new("a contact", "#/$defs/contact", ["email", "language"], []);

    /// <summary>An entry of <c>raters</c>.</summary>
    public static readonly ObjectShape Rater = new("a rater", "#/$defs/rater", ["id", "role", "site", "email", "language"], []);

    /// <summary>An entry of <c>dyads</c>.</summary>
    public static readonly ObjectShape Dyad = new("a dyad", "#/$defs/dyad",
        ["id", "practitioner", "site", "arm", "enrolled"], ["client", "withdrawn"]);

    /// <summary><c>reminders</c>.</summary>
    public static readonly ObjectShape Reminders = new("reminders", "#/properties/reminders", ["firstAfterDays", "everyDays", "maxCount"], []);

    /// <summary><c>reports</c>.</summary>
    public static readonly ObjectShape Reports = new("reports", "#/properties/reports", ["schedule", "recipients"], []);

    /// <summary><c>alerts</c>: one entry per rater role that raises alerts.</summary>
    public static readonly ObjectShape Alerts = new("alerts", "#/properties/alerts", [], [RaterRoles.Practitioner, RaterRoles.Client]);

    /// <summary>The thresholds of one role under <c>alerts</c>.</summary>
    public static readonly ObjectShape AlertRule = new("alert thresholds", "#/$defs/alertThresholds", [], ["drop", "cutoff", "notifyRater"]);

    /// <summary>Every object shape of the format.</summary>
    public static readonly ImmutableArray<ObjectShape> Shapes =
        [Study, Instruments, InstrumentFile, Meeting, Arm, Site, Contact, Rater, Dyad, Reminders, Reports, Alerts, AlertRule];

    /// <summary>
    /// Reads and checks a study file. Every problem is reported at once, each with its line, field and a plain message;
    /// unknown fields are problems too.
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
        return new StudyFileReader(sourceName, readRelativeFile).Read(text);
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

    /// <summary>The JSON Schema (draft 2020-12) documenting the study file format, as shipped in this assembly.</summary>
    public static string SchemaText()
    {
        var assembly = typeof(StudyFile).Assembly;
        using var stream = assembly.GetManifestResourceStream(SchemaResource)
            ?? throw new InvalidOperationException($"Embedded resource '{SchemaResource}' is missing from {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
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
