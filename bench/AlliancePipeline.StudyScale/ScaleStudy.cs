using System.Globalization;
using System.Text;

namespace AlliancePipeline.StudyScale;

/// <summary>
/// The synthetic study of a size, as a study file (no real people: codes <c>d-00001</c>, <c>p-0001</c>, <c>c-00001</c>,
/// addresses at <c>scale.example.org</c>): 10 sites, a practitioner per 20 dyads, every client rating too, two arms,
/// four meetings (days 0, 14, 60 and 90, a week's window each), reminders, weekly reports and rupture alerts. Dyads are
/// enrolled 22 to 50 days before today, so meetings 1 and 2 are past and meetings 3 and 4 still to come: of the 8 forms
/// of a dyad, the 4 of meetings 1 and 2 are answered except one in 20 (left overdue), about half of all forms.
/// </summary>
public sealed class ScaleStudy(int dyads, DateOnly today)
{
    /// <summary>Sites in the study.</summary>
    public const int SiteCount = 10;

    /// <summary>Days after enrolment of meetings 1 to 4.</summary>
    public static readonly int[] MeetingDays = [0, 14, 60, 90];

    /// <summary>The raters' roles, practitioner first.</summary>
    public static readonly string[] Roles = ["practitioner", "client"];

    /// <summary>The day the study is seeded (enrolments are counted back from it).</summary>
    public DateOnly Today => today;

    /// <summary>How many dyads.</summary>
    public int Dyads => dyads;

    /// <summary>The study's id.</summary>
    public string StudyId => string.Create(CultureInfo.InvariantCulture, $"scale-{dyads}");

    /// <summary>Practitioners: one per 20 dyads, at least one per site.</summary>
    public int Practitioners => Math.Max(SiteCount, dyads / 20);

    /// <summary>The id of site <paramref name="index"/> (0-based).</summary>
    public static string Site(int index) => string.Create(CultureInfo.InvariantCulture, $"site-{index + 1:00}");

    /// <summary>The dyad code of dyad <paramref name="n"/> (1-based).</summary>
    public static string Dyad(int n) => string.Create(CultureInfo.InvariantCulture, $"d-{n:00000}");

    /// <summary>The practitioner (1-based) of dyad <paramref name="n"/>.</summary>
    public int PractitionerOf(int n) => ((n - 1) % Practitioners) + 1;

    /// <summary>The site index of dyad <paramref name="n"/> (its practitioner's).</summary>
    public int SiteOf(int n) => (PractitionerOf(n) - 1) % SiteCount;

    /// <summary>The enrolment day of dyad <paramref name="n"/>: 22 to 50 days before today.</summary>
    public DateOnly Enrolled(int n) => today.AddDays(-22 - ((n - 1) % 29));

    /// <summary>Whether the form of dyad <paramref name="n"/>, meeting <paramref name="meeting"/>, role <paramref name="role"/> is answered.</summary>
    public static bool Answered(int n, int meeting, int role) => meeting <= 2 && ((n * 7) + (meeting * 3) + role) % 20 != 0;

    /// <summary>The assessment id, as the app names it: <c>{dyad}-m{meeting}-{role}</c>.</summary>
    public static string AssessmentId(int n, int meeting, string role) => $"{Dyad(n)}-m{meeting}-{role}";

    /// <summary>The study file's text.</summary>
    public string Text()
    {
        var y = new StringBuilder();
        void Line(string text) => y.Append(text).Append('\n');
        Line("# The scale benchmark's study (bench/AlliancePipeline.StudyScale): synthetic codes and example.org addresses, no real people.");
        Line($"id: {StudyId}");
        Line($"name: Scale benchmark, {dyads} dyads");
        Line("instruments:");
        Line("  practitioner: wai-s-practitioner");
        Line("  client: wai-s-client");
        Line("meetings:");
        for (var m = 0; m < MeetingDays.Length; m++) Line($"  - {{ number: {m + 1}, expectedDay: {MeetingDays[m]}, windowDays: 7 }}");
        Line("arms:");
        Line("  - { id: ips, name: Individual placement and support }");
        Line("  - { id: tvs, name: Traditional vocational services }");
        Line("sites:");
        for (var s = 0; s < SiteCount; s++)
            Line($"  - {{ id: {Site(s)}, name: \"Site {s + 1}\", coordinators: [ {{ email: coordinator.{s + 1:00}@scale.example.org, language: en }} ] }}");
        Line("raters:");
        for (var p = 1; p <= Practitioners; p++)
            Line($"  - {{ id: p-{p:0000}, role: practitioner, site: {Site((p - 1) % SiteCount)}, email: p-{p:0000}@scale.example.org, language: en }}");
        for (var n = 1; n <= dyads; n++)
            Line($"  - {{ id: c-{n:00000}, role: client, site: {Site(SiteOf(n))}, email: c-{n:00000}@scale.example.org, language: en }}");
        Line("dyads:");
        for (var n = 1; n <= dyads; n++)
            Line($"  - {{ id: {Dyad(n)}, practitioner: p-{PractitionerOf(n):0000}, client: c-{n:00000}, site: {Site(SiteOf(n))}, arm: {(n % 2 == 1 ? "ips" : "tvs")}, enrolled: {Enrolled(n):yyyy-MM-dd} }}");
        Line("reminders: { firstAfterDays: 2, everyDays: 5, maxCount: 2 }");
        Line("reports:");
        Line("  schedule: \"0 0 6 * * 1\"");
        Line("  recipients: [ { email: research.team@scale.example.org, language: en } ]");
        Line("alerts:");
        Line("  practitioner: { drop: 1.0, cutoff: 2.0, notifyRater: false }");
        Line("  client: { drop: 1.0, cutoff: 2.0 }");
        Line("linkLifetimeDays: 120");
        return y.ToString();
    }

    /// <summary>
    /// Answers to <paramref name="items"/> statements on <paramref name="min"/>…<paramref name="max"/>: a level per dyad
    /// with a little noise, the same for the same form; one dyad in 20 drops two points at meeting 2 (a rupture alert).
    /// </summary>
    public static int[] Answers(int n, int meeting, int role, int items, int min, int max)
    {
        var random = new Random((n * 31) + (meeting * 7) + role);
        var level = min + 1 + (n % Math.Max(1, max - min - 1));
        if (meeting == 2 && n % 20 == 7) level = Math.Max(min, level - 2);
        return [.. Enumerable.Range(0, items).Select(_ => Math.Clamp(level + random.Next(-1, 2), min, max))];
    }

    /// <summary>The outcomes CSV (<c>dyad,employed,date</c>): four dyads in five, a third of them employed.</summary>
    public string OutcomesCsv()
    {
        var csv = new StringBuilder("dyad,employed,date\n");
        for (var n = 1; n <= dyads; n++)
        {
            if (n % 5 == 0) continue;
            var employed = n % 3 == 0;
            csv.Append(CultureInfo.InvariantCulture, $"{Dyad(n)},{(employed ? "yes" : "no")},{(employed ? Enrolled(n).AddDays(5 + (n % 15)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "")}\n");
        }
        return csv.ToString();
    }
}
