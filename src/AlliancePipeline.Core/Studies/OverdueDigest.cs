using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AlliancePipeline.Core.Studies;

/// <summary>
/// An ISO 8601 week (Monday to Sunday; week 1 holds the year's first Thursday), in UTC: the period of the weekly
/// digest, so one digest per coordinator per week can be keyed and a timer that runs twice sends it once.
/// </summary>
/// <param name="Year">The ISO week-numbering year (1 January 2027, a Friday, is in 2026-W53).</param>
/// <param name="Week">1..52 or 53.</param>
public readonly record struct IsoWeek(int Year, int Week) : IComparable<IsoWeek>
{
    /// <summary>The week <paramref name="instant"/> falls in, by its UTC day.</summary>
    public static IsoWeek Of(DateTimeOffset instant) => Of(StudyCalendar.Day(instant));

    /// <summary>The week <paramref name="day"/> falls in.</summary>
    public static IsoWeek Of(DateOnly day)
    {
        var date = day.ToDateTime(TimeOnly.MinValue);
        return new IsoWeek(ISOWeek.GetYear(date), ISOWeek.GetWeekOfYear(date));
    }

    /// <summary>The week's Monday.</summary>
    public DateOnly Monday => DateOnly.FromDateTime(ISOWeek.ToDateTime(Year, Week, DayOfWeek.Monday));

    /// <summary>00:00 UTC on the week's Monday.</summary>
    public DateTimeOffset Start => StudyCalendar.StartOf(Monday);

    /// <summary>00:00 UTC on the next Monday (the week ends just before).</summary>
    public DateTimeOffset End => StudyCalendar.StartOf(Monday.AddDays(7));

    /// <inheritdoc />
    public int CompareTo(IsoWeek other) => (Year, Week).CompareTo((other.Year, other.Week));

    /// <summary>The ISO 8601 form, e.g. <c>2026-W03</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-W{Week:D2}");
}

/// <summary>One coordinator's weekly digest: their site's overdue assessments.</summary>
/// <param name="StudyId">The study.</param>
/// <param name="SiteId">The coordinator's site.</param>
/// <param name="Coordinator">Who receives it, and in which language.</param>
/// <param name="Week">The week it is for.</param>
/// <param name="Overdue">The site's overdue assessments, oldest due date first (then dyad, meeting, role).</param>
public sealed record CoordinatorDigest(string StudyId, string SiteId, StudyContact Coordinator, IsoWeek Week, ImmutableArray<Assessment> Overdue)
{
    /// <summary>
    /// A key for "this digest was sent", unique per study, site, coordinator and week, and usable as a table row key:
    /// <c>{week}-{site}-{12 hex of SHA-256 of the lower-cased email}</c>, e.g. <c>2026-w03-site-a-5f2c0e9b7a41</c>
    /// (the address itself stays out of keys).
    /// </summary>
    public string Key
    {
        get
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Coordinator.Email.ToLowerInvariant())))[..12];
            return $"{Week.ToString().ToLowerInvariant()}-{SiteId}-{hash}";
        }
    }
}

/// <summary>What a study asks of the weekly coordinator digests (<c>digests</c> in the study file).</summary>
/// <param name="WhenNothingOverdue">Whether a coordinator gets the digest in a week when nothing is overdue at the site.</param>
public sealed record DigestPolicy(bool WhenNothingOverdue)
{
    /// <summary>The default: a digest only when something is overdue.</summary>
    public static DigestPolicy Default { get; } = new(false);

    /// <summary>Whether <paramref name="digest"/> is mailed under this policy.</summary>
    public bool Sends(CoordinatorDigest digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        return WhenNothingOverdue || !digest.Overdue.IsEmpty;
    }
}

/// <summary>The weekly overdue digest for site coordinators.</summary>
public static class OverdueDigest
{
    /// <summary>
    /// One digest per coordinator of every site, for the week of <paramref name="now"/>: the site's assessments that are
    /// pending and overdue at <paramref name="now"/> (<see cref="Assessment.IsOverdue"/>). A digest whose list is empty
    /// is returned too (the sender decides whether "nothing overdue" is worth a mail). Assessments of other studies are
    /// ignored.
    /// </summary>
    public static ImmutableArray<CoordinatorDigest> Build(StudyDefinition study, IEnumerable<Assessment> assessments, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(assessments);
        var week = IsoWeek.Of(now);
        var overdueBySite = assessments
            .Where(a => a.StudyId == study.Id && a.IsOverdue(now))
            .GroupBy(a => a.SiteId, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => g.OrderBy(a => a.DueDate).ThenBy(a => a.DyadId, StringComparer.Ordinal).ThenBy(a => a.Meeting)
                    .ThenBy(a => a.RaterRole, StringComparer.Ordinal).ToImmutableArray(),
                StringComparer.Ordinal);
        return study.Sites
            .SelectMany(site => site.Coordinators.Select(c =>
                new CoordinatorDigest(study.Id, site.Id, c, week, overdueBySite.GetValueOrDefault(site.Id, []))))
            .ToImmutableArray();
    }
}
