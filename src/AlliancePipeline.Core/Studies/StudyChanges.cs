using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;

namespace AlliancePipeline.Core.Studies;

/// <summary>What happened to one part of a study when a study file was applied.</summary>
public enum StudyChangeKind
{
    /// <summary>New in this file (everything is, the first time).</summary>
    Added,

    /// <summary>Still there, with other values in <see cref="StudyChange.Fields"/>.</summary>
    Updated,

    /// <summary>A dyad now marked <c>withdrawn: true</c>: its links and reminders stop; its data stays.</summary>
    Withdrawn,

    /// <summary>A withdrawn dyad set back to <c>withdrawn: false</c>: its assessments are planned again.</summary>
    Reinstated,

    /// <summary>
    /// An arm, site, rater or report recipient no longer in the file. The file's checks guarantee no dyad still names
    /// it; the data collected through it stays. (A dyad cannot be removed: see <see cref="StudyFile.PrepareApply"/>.)
    /// </summary>
    Removed,
}

/// <summary>The parts of a study a change is about.</summary>
public enum StudyPart
{
    /// <summary>The study's own settings (name, instruments, meetings, reminders, report schedule, alerts, link lifetime).</summary>
    Study,

    /// <summary>An arm (by id).</summary>
    Arm,

    /// <summary>A site (by id).</summary>
    Site,

    /// <summary>A rater (by id).</summary>
    Rater,

    /// <summary>A dyad (by code).</summary>
    Dyad,

    /// <summary>A report recipient (by email address).</summary>
    Recipient,
}

/// <summary>One change, readable as is: <c>updated rater p-002 (email, language)</c>.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Part">To what kind of part.</param>
/// <param name="Id">The part's id (the study id, an arm/site/rater id, a dyad code, a recipient's email).</param>
/// <param name="Fields">
/// For <see cref="StudyChangeKind.Updated"/> (and a withdrawal or reinstatement that changed more): the fields that
/// changed, named as in the study file (<c>email</c>, <c>coordinators</c>, <c>instruments.client</c>,
/// <c>alerts.practitioner</c>, <c>reports.schedule</c>); else empty.
/// </param>
public sealed record StudyChange(StudyChangeKind Kind, StudyPart Part, string Id, ImmutableArray<string> Fields)
{
    /// <inheritdoc />
    public override string ToString()
    {
        var what = $"{Kind.ToString().ToLowerInvariant()} {Part.ToString().ToLowerInvariant()} {Id}";
        return Fields.IsDefaultOrEmpty ? what : $"{what} ({string.Join(", ", Fields)})";
    }
}

/// <summary>
/// What applying one study definition over another changes, as a list a person can read. Applying the same file twice
/// gives no change the second time (<see cref="HasChanges"/> is false), which is what makes applying idempotent.
/// </summary>
/// <param name="Changes">Study settings first, then arms, sites, raters, dyads and recipients, each in file order (removed ones last).</param>
public sealed record StudyChanges(ImmutableArray<StudyChange> Changes)
{
    /// <summary>Whether anything changed.</summary>
    public bool HasChanges => !Changes.IsDefaultOrEmpty;

    /// <summary>A one-line count, e.g. "3 added, 1 updated, 1 withdrawn", or "no change".</summary>
    public string Summary => !HasChanges
        ? "no change"
        : string.Join(", ", Enum.GetValues<StudyChangeKind>()
            .Select(k => (Kind: k, Count: Changes.Count(c => c.Kind == k)))
            .Where(p => p.Count > 0)
            .Select(p => $"{p.Count} {p.Kind.ToString().ToLowerInvariant()}"));

    /// <inheritdoc />
    public override string ToString() => HasChanges ? string.Join(Environment.NewLine, Changes) : "no change";

    /// <summary>
    /// The changes applying <paramref name="next"/> makes over <paramref name="previous"/> (null: nothing applied yet,
    /// so the study and all its parts are <see cref="StudyChangeKind.Added"/>). Parts are matched by id; a site's
    /// coordinators are compared as a set (reordering them is no change); an own instrument is compared by its content,
    /// so moving or reformatting its file is no change.
    /// </summary>
    /// <exception cref="ArgumentException">The two definitions are of different studies.</exception>
    public static StudyChanges Between(StudyDefinition? previous, StudyDefinition next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (previous is not null && previous.Id != next.Id)
        {
            throw new ArgumentException($"Cannot compare study '{previous.Id}' with study '{next.Id}'.", nameof(next));
        }

        var changes = ImmutableArray.CreateBuilder<StudyChange>();
        if (previous is null)
        {
            changes.Add(new StudyChange(StudyChangeKind.Added, StudyPart.Study, next.Id, []));
        }
        else if (SettingsChanged(previous, next) is { Length: > 0 } fields)
        {
            changes.Add(new StudyChange(StudyChangeKind.Updated, StudyPart.Study, next.Id, fields));
        }

        Compare(changes, StudyPart.Arm, previous?.Arms ?? [], next.Arms, a => a.Id, (a, b) => Fields(("name", a.Name == b.Name)));
        Compare(changes, StudyPart.Site, previous?.Sites ?? [], next.Sites, s => s.Id, (a, b) => Fields(
            ("name", a.Name == b.Name),
            ("coordinators", SameContacts(a.Coordinators, b.Coordinators))));
        Compare(changes, StudyPart.Rater, previous?.Raters ?? [], next.Raters, r => r.Id, (a, b) => Fields(
            ("role", a.Role == b.Role),
            ("site", a.SiteId == b.SiteId),
            ("email", a.Email == b.Email),
            ("language", a.Language == b.Language)));
        CompareDyads(changes, previous?.Dyads ?? [], next.Dyads);
        Compare(changes, StudyPart.Recipient, previous?.Reports?.Recipients ?? [], next.Reports?.Recipients ?? [],
            r => r.Email.ToLowerInvariant(), (a, b) => Fields(("email", a.Email == b.Email), ("language", a.Language == b.Language)));
        return new StudyChanges(changes.ToImmutable());
    }

    private static ImmutableArray<string> SettingsChanged(StudyDefinition a, StudyDefinition b)
    {
        var fields = new List<(string, bool)> { ("name", a.Name == b.Name && a.Names.SequenceEqual(b.Names)) };
        foreach (var role in RaterRoles.All)
        {
            fields.Add(($"instruments.{role}", SameInstrument(a.Instruments.GetValueOrDefault(role), b.Instruments.GetValueOrDefault(role))));
        }

        fields.Add(("meetings", a.Meetings.SequenceEqual(b.Meetings)));
        fields.Add(("reminders", a.Reminders == b.Reminders));
        fields.Add(("reports.schedule", a.Reports?.Schedule == b.Reports?.Schedule));
        foreach (var role in RaterRoles.All)
        {
            fields.Add(($"alerts.{role}", a.AlertsFor(role) == b.AlertsFor(role)));
        }

        fields.Add(("linkLifetimeDays", a.LinkLifetimeDays == b.LinkLifetimeDays));
        fields.Add(("digests", a.Digests == b.Digests));
        fields.Add(("handOver", a.HandOverAllowed == b.HandOverAllowed));
        fields.Add(("analysis", a.Analysis == b.Analysis));
        fields.Add(("covariates", CovariatesText(a) == CovariatesText(b)));
        return Fields(fields.ToArray());
    }

    /// <summary>The covariates as text, for comparing by content (their lists compare by reference).</summary>
    private static string CovariatesText(StudyDefinition study) => string.Join("\n", (study.Covariates.IsDefault ? [] : study.Covariates).Select(c =>
        string.Create(CultureInfo.InvariantCulture, $"{c.Name} {c.Type} [{string.Join("|", c.Levels)}] {c.Min} {c.Max} {c.Label} {string.Join("|", c.Labels.Select(l => l.Key + "=" + l.Value))}")));

    private static ImmutableArray<string> Fields(params (string Name, bool Same)[] fields) =>
        fields.Where(f => !f.Same).Select(f => f.Name).ToImmutableArray();

    private static bool SameContacts(ImmutableArray<StudyContact> a, ImmutableArray<StudyContact> b) =>
        a.Length == b.Length && a.Select(Key).ToHashSet(StringComparer.Ordinal).SetEquals(b.Select(Key));

    private static string Key(StudyContact c) => $"{c.Email.ToLowerInvariant()} {c.Language}";

    private static bool SameInstrument(StudyInstrument? a, StudyInstrument? b) =>
        (a, b) switch
        {
            (null, null) => true,
            (null, _) or (_, null) => false,
            _ when a.InstrumentId != b.InstrumentId || a.Definition.Version != b.Definition.Version || (a.Json is null) != (b.Json is null) => false,
            _ when a.Json is null => true,
            _ => JsonNode.DeepEquals(JsonNode.Parse(a.Json!), JsonNode.Parse(b.Json!)),
        };

    private static void Compare<T>(ImmutableArray<StudyChange>.Builder changes, StudyPart part, ImmutableArray<T> before, ImmutableArray<T> after,
        Func<T, string> id, Func<T, T, ImmutableArray<string>> changed)
    {
        var old = before.ToDictionary(id, StringComparer.Ordinal);
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in after)
        {
            var key = id(item);
            kept.Add(key);
            if (!old.TryGetValue(key, out var was))
            {
                changes.Add(new StudyChange(StudyChangeKind.Added, part, DisplayId(item, key), []));
            }
            else if (changed(was, item) is { Length: > 0 } fields)
            {
                changes.Add(new StudyChange(StudyChangeKind.Updated, part, DisplayId(item, key), fields));
            }
        }

        foreach (var item in before.Where(i => !kept.Contains(id(i))))
        {
            changes.Add(new StudyChange(StudyChangeKind.Removed, part, DisplayId(item, id(item)), []));
        }
    }

    private static string DisplayId<T>(T item, string key) => item is StudyContact c ? c.Email : key;

    private static void CompareDyads(ImmutableArray<StudyChange>.Builder changes, ImmutableArray<StudyDyad> before, ImmutableArray<StudyDyad> after)
    {
        var old = before.ToDictionary(d => d.Id, StringComparer.Ordinal);
        foreach (var dyad in after)
        {
            if (!old.TryGetValue(dyad.Id, out var was))
            {
                changes.Add(new StudyChange(StudyChangeKind.Added, StudyPart.Dyad, dyad.Id, []));
                continue;
            }

            var fields = Fields(
                ("practitioner", was.PractitionerId == dyad.PractitionerId),
                ("client", was.ClientId == dyad.ClientId),
                ("site", was.SiteId == dyad.SiteId),
                ("arm", was.ArmId == dyad.ArmId),
                ("enrolled", was.Enrolled == dyad.Enrolled));
            var kind = (was.Withdrawn, dyad.Withdrawn) switch
            {
                (false, true) => StudyChangeKind.Withdrawn,
                (true, false) => StudyChangeKind.Reinstated,
                _ => StudyChangeKind.Updated,
            };
            if (kind != StudyChangeKind.Updated || fields.Length > 0)
            {
                changes.Add(new StudyChange(kind, StudyPart.Dyad, dyad.Id, fields));
            }
        }

        // A dyad missing from `after` is refused by StudyFile.PrepareApply; a caller comparing definitions directly
        // still learns of it.
        var kept = after.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var dyad in before.Where(d => !kept.Contains(d.Id)))
        {
            changes.Add(new StudyChange(StudyChangeKind.Removed, StudyPart.Dyad, dyad.Id, []));
        }
    }
}
