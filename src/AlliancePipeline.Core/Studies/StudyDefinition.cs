using System.Collections.Immutable;
using System.Globalization;
using AlliancePipeline.Core.Instruments;

namespace AlliancePipeline.Core.Studies;

/// <summary>The two rater roles a dyad has: the practitioner always, the client in studies that ask both.</summary>
public static class RaterRoles
{
    /// <summary>The practitioner (employment specialist, counsellor, case worker): rates every dyad.</summary>
    public const string Practitioner = "practitioner";

    /// <summary>The client: rates when the dyad names a client rater and the study has a client instrument.</summary>
    public const string Client = "client";

    /// <summary>Both roles, practitioner first (the order of assessments and of the file's <c>instruments</c>).</summary>
    public static readonly ImmutableArray<string> All = [Practitioner, Client];
}

/// <summary>Where a study's instrument for one role comes from.</summary>
public enum InstrumentSourceKind
{
    /// <summary>A shipped instrument named by id (e.g. <c>wai-s-practitioner</c>).</summary>
    Shipped,

    /// <summary>The study's own instrument file, referenced by a path relative to the study file.</summary>
    File,

    /// <summary>The study's own instrument written inside the study file.</summary>
    Inline,
}

/// <summary>The instrument one rater role answers.</summary>
/// <param name="Role">The rater role (<see cref="RaterRoles"/>); equal to <see cref="InstrumentDefinition.RaterRole"/>.</param>
/// <param name="Source">Shipped, the study's own file, or inline.</param>
/// <param name="FilePath">For <see cref="InstrumentSourceKind.File"/>: the path as written in the study file; else null.</param>
/// <param name="Definition">The instrument, checked by <see cref="InstrumentLoader"/>.</param>
/// <param name="Json">
/// The study's own instrument as JSON text (the file's text, or the inline instrument written as JSON), to be stored
/// with the study and added to a catalog with <see cref="InstrumentCatalog.WithStudyInstrument"/>; null for a
/// shipped instrument.
/// </param>
public sealed record StudyInstrument(string Role, InstrumentSourceKind Source, string? FilePath, InstrumentDefinition Definition, string? Json)
{
    /// <summary>The instrument id (e.g. <c>wai-s-client</c>).</summary>
    public string InstrumentId => Definition.Id;
}

/// <summary>One meeting of the schedule every dyad follows.</summary>
/// <param name="Number">1..T, consecutive.</param>
/// <param name="ExpectedDay">Expected day of the meeting, in days after the dyad's enrolment date (0 = the enrolment day).</param>
/// <param name="WindowDays">Days after the meeting in which the form is due (0 = due on the meeting day).</param>
public sealed record MeetingSchedule(int Number, int ExpectedDay, int WindowDays);

/// <summary>An arm of the study (e.g. supported employment vs traditional vocational services).</summary>
/// <param name="Id">Arm id (<see cref="StudyIds.IsValid"/>).</param>
/// <param name="Name">Display name.</param>
public sealed record StudyArm(string Id, string Name);

/// <summary>Someone who receives emails about the study: a site coordinator or a report recipient.</summary>
/// <param name="Email">Email address.</param>
/// <param name="Language">Language of the emails (BCP 47, e.g. <c>en</c>, <c>fr-CA</c>).</param>
public sealed record StudyContact(string Email, string Language);

/// <summary>A site taking part in the study.</summary>
/// <param name="Id">Site id (<see cref="StudyIds.IsValid"/>).</param>
/// <param name="Name">Display name.</param>
/// <param name="Coordinators">At least one: they get the site's weekly overdue digest and its rupture alerts.</param>
public sealed record StudySite(string Id, string Name, ImmutableArray<StudyContact> Coordinators);

/// <summary>Someone who fills in forms: a practitioner or a client, at one site.</summary>
/// <param name="Id">Pseudonymous rater id (<see cref="StudyIds.IsValid"/>): never a name.</param>
/// <param name="Role"><see cref="RaterRoles.Practitioner"/> or <see cref="RaterRoles.Client"/>.</param>
/// <param name="SiteId">The site the rater belongs to.</param>
/// <param name="Email">Where invitations and reminders go.</param>
/// <param name="Language">Language of the form and emails (BCP 47); the role's instrument declares it or its primary subtag.</param>
public sealed record StudyRater(string Id, string Role, string SiteId, string Email, string Language);

/// <summary>A practitioner–client pair followed over the meetings.</summary>
/// <param name="Id">Pseudonymous dyad code (<see cref="StudyIds.IsValid"/>, short enough for its assessment ids).</param>
/// <param name="PractitionerId">The practitioner rater (same site).</param>
/// <param name="ClientId">The client rater (same site), when the client also rates; else null.</param>
/// <param name="SiteId">The site of the dyad.</param>
/// <param name="ArmId">The arm the dyad is in.</param>
/// <param name="Enrolled">Enrolment date: meeting days count from it.</param>
/// <param name="Withdrawn">True once withdrawn: nothing new is planned, links stop, reminders stop; its data stays.</param>
public sealed record StudyDyad(string Id, string PractitionerId, string? ClientId, string SiteId, string ArmId, DateOnly Enrolled, bool Withdrawn);

/// <summary>When study reports are emailed, and to whom.</summary>
/// <param name="Schedule">Six-field NCRONTAB expression (second minute hour day month day-of-week), in UTC.</param>
/// <param name="Recipients">Who receives them (may be empty).</param>
public sealed record ReportSchedule(string Schedule, ImmutableArray<StudyContact> Recipients);

/// <summary>
/// A study as its study file describes it: what the runtime needs to enrol dyads, plan assessments, remind, alert and
/// report. Built and checked by <see cref="StudyFile.Parse"/>; every cross-reference in it holds (raters' sites exist,
/// dyads' raters are of the right role and site, every rater's role has an instrument, …).
/// </summary>
/// <remarks>
/// Its lists are <see cref="ImmutableArray{T}"/>, which compare by reference: to learn whether two definitions differ,
/// use <see cref="StudyChanges.Between"/>, not <c>==</c>.
/// </remarks>
/// <param name="Id">Study id (<see cref="StudyIds.IsValid"/>): the partition key of everything the study owns.</param>
/// <param name="Name">Display name.</param>
/// <param name="Instruments">The instrument per rater role; the practitioner's is always there.</param>
/// <param name="Meetings">Meetings 1..T in order.</param>
/// <param name="Arms">Arms, in file order.</param>
/// <param name="Sites">Sites, in file order.</param>
/// <param name="Raters">Raters, in file order.</param>
/// <param name="Dyads">Dyads, in file order (withdrawn ones included: dyads are never removed).</param>
/// <param name="Reminders">When reminders go.</param>
/// <param name="Reports">Report emails, or null when the study sends none.</param>
/// <param name="Alerts">Rupture alert thresholds per rater role; a role without an entry raises no alerts.</param>
/// <param name="LinkLifetimeDays">How long a link works after it is issued, in days; null = the app's setting.</param>
/// <param name="HandOverAllowed">
/// Whether a coordinator may ask for a hand-over link (<c>handOver: allowed</c>): a new link version for a rater reached
/// another way, given to the coordinator once, answers through it marked <see cref="ResponseProvenance.HandOver"/>.
/// False (the default) when the file leaves it out or says <c>off</c>.
/// </param>
public sealed record StudyDefinition(
    string Id,
    string Name,
    ImmutableSortedDictionary<string, StudyInstrument> Instruments,
    ImmutableArray<MeetingSchedule> Meetings,
    ImmutableArray<StudyArm> Arms,
    ImmutableArray<StudySite> Sites,
    ImmutableArray<StudyRater> Raters,
    ImmutableArray<StudyDyad> Dyads,
    ReminderPolicy Reminders,
    ReportSchedule? Reports,
    ImmutableSortedDictionary<string, AlertThresholds> Alerts,
    int? LinkLifetimeDays,
    bool HandOverAllowed = false)
{
    /// <summary>
    /// The study's name per language (BCP 47 tag → text), when the file gives one per language (<c>name: {en: …, fr: …}</c>);
    /// empty when it gives one name. <see cref="Name"/> is then the English one, else the first given.
    /// </summary>
    public ImmutableSortedDictionary<string, string> Names { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>The study's name in <paramref name="language"/> (<see cref="StudyNames.In"/>).</summary>
    public string NameIn(string? language) => StudyNames.In(Names, Name, language);

    /// <summary>The weekly coordinator digests (<c>digests</c> in the study file); <see cref="DigestPolicy.Default"/> when left out.</summary>
    public DigestPolicy Digests { get; init; } = DigestPolicy.Default;

    /// <summary>The analysis settings (<c>analysis</c> in the study file); <see cref="StudyAnalysis.Default"/> when left out.</summary>
    public StudyAnalysis Analysis { get; init; } = StudyAnalysis.Default;

    /// <summary>The dyad covariates the study records (<c>covariates</c> in the study file), in file order; empty when left out.</summary>
    public ImmutableArray<StudyCovariate> Covariates { get; init; } = [];

    /// <summary>The covariate with this name (any case: CSV headers are read so), or null.</summary>
    public StudyCovariate? FindCovariate(string name) =>
        Covariates.IsDefault ? null : Covariates.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The site with this id, or null.</summary>
    public StudySite? FindSite(string siteId) => Sites.FirstOrDefault(s => s.Id == siteId);

    /// <summary>The rater with this id, or null (the first one when ids repeat, as in the list).</summary>
    public StudyRater? FindRater(string raterId) => ById.Of(Raters, r => r.Id).GetValueOrDefault(raterId);

    /// <summary>The dyad with this id, or null (the first one when ids repeat, as in the list).</summary>
    public StudyDyad? FindDyad(string dyadId) => ById.Of(Dyads, d => d.Id).GetValueOrDefault(dyadId);

    /// <summary>The meeting with this number, or null.</summary>
    public MeetingSchedule? FindMeeting(int number) => Meetings.FirstOrDefault(m => m.Number == number);

    /// <summary>The alert thresholds for responses of this rater role, or null when that role raises no alerts.</summary>
    public AlertThresholds? AlertsFor(string role) => Alerts.GetValueOrDefault(role);

    /// <summary>
    /// The runtime's summary record (the <c>Studies</c> table): the practitioner's instrument as
    /// <see cref="Study.InstrumentId"/>, every role's in <see cref="Study.InstrumentIdsByRole"/>, the site ids.
    /// </summary>
    public Study ToStudy() => new(
        Id,
        Name,
        Instruments[RaterRoles.Practitioner].InstrumentId,
        Sites.Select(s => s.Id).ToImmutableArray(),
        Instruments.ToImmutableSortedDictionary(p => p.Key, p => p.Value.InstrumentId, StringComparer.Ordinal));

    /// <summary>A date as study files and CSV imports write it (<c>yyyy-MM-dd</c>), for messages.</summary>
    public static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>A study's name in a language, from its names per language.</summary>
public static class StudyNames
{
    /// <summary>
    /// The name of <paramref name="names"/> for <paramref name="language"/>: the tag's (any case), else its primary
    /// subtag's (<c>fr</c> for <c>fr-CA</c>), else <paramref name="fallback"/> (the study's one name).
    /// </summary>
    public static string In(IReadOnlyDictionary<string, string> names, string fallback, string? language)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0 || string.IsNullOrEmpty(language)) return fallback;
        var primary = language.Split('-', 2)[0];
        return names.FirstOrDefault(n => string.Equals(n.Key, language, StringComparison.OrdinalIgnoreCase)).Value
            ?? names.FirstOrDefault(n => string.Equals(n.Key, primary, StringComparison.OrdinalIgnoreCase)).Value
            ?? fallback;
    }
}

/// <summary>
/// Lists by id, made once per list: a study of 10,000 dyads looked up per dyad, per CSV line or per assessment made
/// scans of the list grow with the square of the study. Kept beside the list's array (never in the record, whose
/// <c>with</c> copies and equality would carry a dictionary of another list).
/// </summary>
internal static class ById
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> Made = new();

    public static IReadOnlyDictionary<string, T> Of<T>(ImmutableArray<T> list, Func<T, string> id) where T : class
    {
        var array = System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsArray(list);
        if (array is null || array.Length == 0) return System.Collections.Frozen.FrozenDictionary<string, T>.Empty;
        return (IReadOnlyDictionary<string, T>)Made.GetValue(array, _ =>
        {
            var byId = new Dictionary<string, T>(array.Length, StringComparer.Ordinal);
            foreach (var item in array) byId.TryAdd(id(item), item);
            return byId;
        });
    }
}
