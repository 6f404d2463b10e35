using System.Globalization;
using System.Text;

namespace AlliancePipeline.EndToEnd.Tests.Season;

/// <summary>
/// The season's study as the coordinator keeps it: three sites (one French-speaking), nine practitioners and a spare,
/// a client rating in a third of the dyads, 102 dyads enrolled over the first 60 days, four meetings four weeks apart.
/// The test changes it as a coordinator would (a practitioner replaced, an address corrected, a meeting removed) and
/// applies it again; it is also the test's own record of who rates what, independent of the app's tables.
/// </summary>
public sealed class SeasonStudy
{
    public const string Id = "season";
    public const int Dyads = 102;
    public const int WindowDays = 7;
    public const int MaxReminders = 2;
    public static readonly DateOnly Start = new(2027, 1, 4); // a Monday
    public static readonly (string Id, string Language)[] Sites = [("site-a", "en"), ("site-b", "fr"), ("site-c", "en")];

    /// <summary>Meeting numbers and their days after enrolment, as the study file now has them.</summary>
    public SortedDictionary<int, int> Meetings { get; } = new() { [1] = 0, [2] = 28, [3] = 56, [4] = 84 };

    /// <summary>Rater id → address, as the file now names them.</summary>
    public Dictionary<string, string> Email { get; } = new(StringComparer.Ordinal);

    /// <summary>Dyad number → practitioner id, as the file now names them.</summary>
    public Dictionary<int, string> Practitioner { get; } = [];

    /// <summary>Dyads withdrawn by the coordinator (through the API), now.</summary>
    public HashSet<int> Withdrawn { get; } = [];

    /// <summary>Meeting dates recorded through the API, by form's dyad and meeting.</summary>
    public Dictionary<(int Dyad, int Meeting), DateOnly> Recorded { get; } = [];

    public SeasonStudy()
    {
        for (var p = 1; p <= 10; p++) Email[Rater(p)] = $"{Rater(p)}@season.example.org";
        for (var n = 1; n <= Dyads; n++)
        {
            Practitioner[n] = Rater((SiteOf(n) * 3) + ((n - 1) / 3 % 3) + 1);
            if (HasClient(n)) Email[Client(n)] = $"{Client(n)}@season.example.org";
        }
    }

    public static string Rater(int p) => string.Create(CultureInfo.InvariantCulture, $"p-{p:00}");
    public static string Client(int n) => string.Create(CultureInfo.InvariantCulture, $"c-{n:000}");
    public static string Dyad(int n) => string.Create(CultureInfo.InvariantCulture, $"d-{n:000}");
    public static int DyadNumber(string dyad) => int.Parse(dyad.AsSpan(2), CultureInfo.InvariantCulture);
    public static string Form(int n, int meeting, string role) => string.Create(CultureInfo.InvariantCulture, $"{Dyad(n)}-m{meeting}-{role}");
    public static int SiteOf(int n) => (n - 1) % 3;
    public static int SiteOfRater(string raterId) => raterId == "p-10" ? 0 : (int.Parse(raterId.AsSpan(2), CultureInfo.InvariantCulture) - 1) / 3;
    public static bool HasClient(int n) => n % 3 == 1;
    public static DateOnly Enrolled(int n) => Start.AddDays((n - 1) * 60 / Dyads);

    /// <summary>The roles rating dyad <paramref name="n"/>.</summary>
    public static IEnumerable<string> Roles(int n) => HasClient(n) ? ["practitioner", "client"] : ["practitioner"];

    /// <summary>The address of the rater who rates <paramref name="role"/> in dyad <paramref name="n"/> now.</summary>
    public string RaterEmail(int n, string role) => Email[role == "client" ? Client(n) : Practitioner[n]];

    /// <summary>
    /// The meeting's day as docs/study-file.md defines it: recorded; else the latest earlier recorded meeting's date plus
    /// the schedule's distance between the two; else enrolment plus its expected day.
    /// </summary>
    public DateOnly MeetingDay(int n, int meeting)
    {
        if (Recorded.TryGetValue((n, meeting), out var day)) return day;
        foreach (var earlier in Meetings.Keys.Where(m => m < meeting).Reverse())
        {
            if (Recorded.TryGetValue((n, earlier), out var at)) return at.AddDays(Meetings[meeting] - Meetings[earlier]);
        }
        return Enrolled(n).AddDays(Meetings[meeting]);
    }

    /// <summary>Every form the study has now and that is not withdrawn (by the dyad's withdrawal or its meeting's removal).</summary>
    public IEnumerable<(int Dyad, int Meeting, string Role)> ActiveForms() =>
        from n in Enumerable.Range(1, Dyads)
        where !Withdrawn.Contains(n)
        from m in Meetings.Keys
        from role in Roles(n)
        select (n, m, role);

    /// <summary>The study file's text.</summary>
    public string Text()
    {
        var y = new StringBuilder();
        void Line(string text) => y.Append(text).Append('\n');
        Line($"id: {Id}");
        Line("name: { en: A season of working alliance, fr: Une saison d'alliance de travail }");
        Line("instruments: { practitioner: wai-s-practitioner, client: wai-s-client }");
        Line("meetings:");
        foreach (var (number, day) in Meetings) Line($"  - {{ number: {number}, expectedDay: {day}, windowDays: {WindowDays} }}");
        Line("arms:");
        Line("  - { id: ips, name: Individual placement and support }");
        Line("  - { id: tvs, name: Traditional vocational services }");
        Line("sites:");
        foreach (var (id, language) in Sites)
            Line($"  - {{ id: {id}, name: \"Site {id[5..].ToUpperInvariant()}\", coordinators: [ {{ email: coordinator.{id}@season.example.org, language: {language} }} ] }}");
        Line("raters:");
        for (var p = 1; p <= 10; p++)
            Line($"  - {{ id: {Rater(p)}, role: practitioner, site: {Sites[SiteOfRater(Rater(p))].Id}, email: {Email[Rater(p)]}, language: {Sites[SiteOfRater(Rater(p))].Language} }}");
        for (var n = 1; n <= Dyads; n++)
        {
            if (HasClient(n)) Line($"  - {{ id: {Client(n)}, role: client, site: {Sites[SiteOf(n)].Id}, email: {Email[Client(n)]}, language: {Sites[SiteOf(n)].Language} }}");
        }
        Line("dyads:");
        for (var n = 1; n <= Dyads; n++)
        {
            var client = HasClient(n) ? $", client: {Client(n)}" : "";
            Line($"  - {{ id: {Dyad(n)}, practitioner: {Practitioner[n]}{client}, site: {Sites[SiteOf(n)].Id}, arm: {(n % 2 == 1 ? "ips" : "tvs")}, enrolled: {Enrolled(n):yyyy-MM-dd} }}");
        }
        Line($"reminders: {{ firstAfterDays: 3, everyDays: 4, maxCount: {MaxReminders} }}");
        Line("reports:");
        Line("  schedule: \"0 0 6 * * 1\"");
        Line("  recipients: [ { email: research@season.example.org, language: en } ]");
        Line("alerts:");
        Line("  practitioner: { drop: 1.0, cutoff: 3.5, notifyRater: false }");
        Line("  client: { drop: 1.2, cutoff: 3.5 }");
        Line("linkLifetimeDays: 365");
        return y.ToString();
    }
}
