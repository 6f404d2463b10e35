using System.Globalization;
using System.Text;

namespace AlliancePipeline.Demo;

/// <summary>
/// The demo study as a study file: three sites (one French-speaking), six practitioners, a third of the clients rating
/// too, two arms, three meetings two weeks apart, a reminder policy, weekly reports and rupture-alert thresholds. Every
/// code and address is synthetic (<c>demo.example.org</c>). Dyads are enrolled over the first weeks from
/// <see cref="FirstEnrolment"/>, so the demo's clock plays them through.
/// </summary>
public static class DemoStudyFile
{
    /// <summary>The demo study's id.</summary>
    public const string StudyId = "alliance-demo";

    /// <summary>The sites, with their coordinators' language.</summary>
    public static readonly (string Id, string Name, string Language)[] Sites =
    [
        ("site-north", "North employment centre", "en"),
        ("site-river", "Centre de la rivière", "fr"),
        ("site-south", "South community services", "en"),
    ];

    /// <summary>The first enrolment day (dyads are enrolled over the next two weeks).</summary>
    public static readonly DateOnly FirstEnrolment = new(2026, 1, 5);

    /// <summary>Days over which dyads are enrolled.</summary>
    public const int EnrolmentDays = 14;

    /// <summary>Days after enrolment of meetings 1, 2, 3; each form is due 7 days after its meeting.</summary>
    public static readonly int[] MeetingDays = [0, 14, 28];

    /// <summary>The form's window after each meeting.</summary>
    public const int WindowDays = 7;

    /// <summary>Days the demo plays from <see cref="FirstEnrolment"/>: every form's window and two weeks more.</summary>
    public static int PlayedDays => EnrolmentDays + MeetingDays[^1] + WindowDays + 14;

    /// <summary>The demo's last day on the app's clock, when the late dyads are enrolled.</summary>
    public static DateOnly LastDay => FirstEnrolment.AddDays(PlayedDays);

    /// <summary>
    /// Dyads enrolled on <see cref="LastDay"/>, one per site, after the <c>--dyads</c> ones: their first forms are
    /// invited on the last day and left open, so the demo ends with working links in MailDev for a newcomer to answer.
    /// </summary>
    public const int LateDyads = 3;

    /// <summary>Whether dyad <paramref name="n"/> is one of the late ones.</summary>
    public static bool IsLate(int n, int dyads) => n > dyads;

    /// <summary>The dyad code of dyad <paramref name="n"/> (1-based).</summary>
    public static string Dyad(int n) => string.Create(CultureInfo.InvariantCulture, $"d-{n:00}");

    /// <summary>The practitioner of dyad <paramref name="n"/>: six practitioners, two per site (a late dyad per site).</summary>
    public static int Practitioner(int n, int dyads) => IsLate(n, dyads) ? (2 * (n - dyads - 1)) + 1 : ((n - 1) % 6) + 1;

    /// <summary>The site index (0-based) of practitioner <paramref name="practitioner"/>.</summary>
    public static int SiteOf(int practitioner) => (practitioner - 1) / 2;

    /// <summary>Whether the client of dyad <paramref name="n"/> rates too (a third of them; every late one).</summary>
    public static bool ClientRates(int n, int dyads) => IsLate(n, dyads) || n % 3 == 1;

    /// <summary>The dyad withdrawn from the demo study (to show what withdrawal does).</summary>
    public static bool Withdrawn(int n, int dyads) => n == dyads - 3;

    /// <summary>The enrolment day of dyad <paramref name="n"/>.</summary>
    public static DateOnly Enrolled(int n, int dyads) => IsLate(n, dyads) ? LastDay : FirstEnrolment.AddDays((n - 1) % EnrolmentDays);

    /// <summary>The rater address of a rater id.</summary>
    public static string Email(string raterId) => $"{raterId}@demo.example.org";

    /// <summary>The study file's text for <paramref name="dyads"/> dyads and the <see cref="LateDyads"/> late ones.</summary>
    public static string Text(int dyads)
    {
        var y = new StringBuilder();
        void Line(string text) => y.Append(text).Append('\n');
        Line("# The demo study, made by the demo (tools/AlliancePipeline.Demo): synthetic codes and example.org addresses, no real people.");
        Line($"id: {StudyId}");
        Line("name: { en: Working alliance in supported employment (demo), fr: Alliance de travail en emploi accompagné (démo) }");
        Line("instruments:");
        Line("  practitioner: wai-s-practitioner");
        Line("  client: wai-s-client");
        Line("meetings:");
        for (var m = 0; m < MeetingDays.Length; m++) Line($"  - {{ number: {m + 1}, expectedDay: {MeetingDays[m]}, windowDays: {WindowDays} }}");
        Line("arms:");
        Line("  - { id: ips, name: Individual placement and support }");
        Line("  - { id: tvs, name: Traditional vocational services }");
        Line("sites:");
        foreach (var (id, name, language) in Sites)
            Line($"  - {{ id: {id}, name: \"{name}\", coordinators: [ {{ email: coordinator.{id[5..]}@demo.example.org, language: {language} }} ] }}");
        Line("raters:");
        for (var p = 1; p <= 6; p++)
        {
            var site = Sites[SiteOf(p)];
            Line($"  - {{ id: p-{p:00}, role: practitioner, site: {site.Id}, email: {Email($"p-{p:00}")}, language: {site.Language} }}");
        }
        for (var n = 1; n <= dyads + LateDyads; n++)
        {
            if (!ClientRates(n, dyads)) continue;
            var site = Sites[SiteOf(Practitioner(n, dyads))];
            Line($"  - {{ id: c-{n:00}, role: client, site: {site.Id}, email: {Email($"c-{n:00}")}, language: {site.Language} }}");
        }
        Line("dyads:");
        for (var n = 1; n <= dyads + LateDyads; n++)
        {
            var site = Sites[SiteOf(Practitioner(n, dyads))];
            var client = ClientRates(n, dyads) ? $", client: c-{n:00}" : "";
            var withdrawn = Withdrawn(n, dyads) ? ", withdrawn: true" : "";
            Line($"  - {{ id: {Dyad(n)}, practitioner: p-{Practitioner(n, dyads):00}{client}, site: {site.Id}, arm: {(n % 2 == 1 ? "ips" : "tvs")}, enrolled: {Enrolled(n, dyads):yyyy-MM-dd}{withdrawn} }}");
        }
        Line("reminders: { firstAfterDays: 2, everyDays: 5, maxCount: 2 }");
        Line("reports:");
        Line("  schedule: \"0 0 6 * * 1\"");
        Line("  recipients: [ { email: research.team@demo.example.org, language: en } ]");
        Line("alerts:");
        Line("  practitioner: { drop: 0.6, cutoff: 4.5, notifyRater: false }");
        Line("  client: { drop: 1.0, cutoff: 4.0 }");
        Line("linkLifetimeDays: 60");
        return y.ToString();
    }
}
