namespace AlliancePipeline.Core.Studies;

/// <summary>How the number of clusters is read from the agglomeration coefficient (<c>analysis.clusters.rule</c>).</summary>
public enum ClusterRule
{
    /// <summary>The largest relative jump (the default).</summary>
    Relative,

    /// <summary>The largest absolute increase, as the agglomeration schedule is read in SPSS.</summary>
    Absolute,
}

/// <summary>What happens to a dyad with a meeting missing (<c>analysis.missingMeetings</c>).</summary>
public enum MissingMeetings
{
    /// <summary>Only complete trajectories are clustered; the others are counted and compared (the default).</summary>
    Complete,

    /// <summary>
    /// As <see cref="Complete"/>, and in a sensitivity analysis beside it each partial trajectory goes to the nearest
    /// cluster centroid on the meetings it has.
    /// </summary>
    Assign,
}

/// <summary>Where follow-up time starts (<c>analysis.followUp.from</c>).</summary>
public enum FollowUpOrigin
{
    /// <summary>The dyad's enrolment date (the default).</summary>
    Enrolment,

    /// <summary>The dyad's first meeting date (recorded, else its planned day).</summary>
    FirstMeeting,
}

/// <summary>
/// The one test a study names as primary before analysis (<c>analysis.primaryTest</c>): the report labels it primary and
/// every other test exploratory. A closed set: the tests the report runs that answer the study's question.
/// </summary>
public enum PrimaryTest
{
    /// <summary>The pattern × employment association: the Fisher–Freeman–Halton test (<c>patternEmployment</c>).</summary>
    PatternEmployment,

    /// <summary>Time to job by pattern: the log-rank test (<c>timeToJob</c>; needs <c>followUp</c>).</summary>
    TimeToJob,

    /// <summary>Employment on mean alliance: the logistic regression's Wald test of alliance (<c>allianceEmployment</c>).</summary>
    AllianceEmployment,
}

/// <summary>The study file's words for <see cref="PrimaryTest"/> and the report's names of the tests.</summary>
public static class PrimaryTests
{
    /// <summary>The value in the study file (<c>patternEmployment</c>, <c>timeToJob</c>, <c>allianceEmployment</c>).</summary>
    public static string FileValue(PrimaryTest test) => test switch
    {
        PrimaryTest.PatternEmployment => "patternEmployment",
        PrimaryTest.TimeToJob => "timeToJob",
        _ => "allianceEmployment",
    };

    /// <summary>The test named by a study file's value, or null for a value not in the set.</summary>
    public static PrimaryTest? Parse(string? value) => value switch
    {
        "patternEmployment" => PrimaryTest.PatternEmployment,
        "timeToJob" => PrimaryTest.TimeToJob,
        "allianceEmployment" => PrimaryTest.AllianceEmployment,
        _ => null,
    };
}

/// <summary>How long outcomes are followed (<c>analysis.followUp</c>).</summary>
/// <param name="Days">Days of follow-up from the origin: a job starting later is not an event of the study.</param>
/// <param name="From">The origin.</param>
public sealed record FollowUp(int Days, FollowUpOrigin From);

/// <summary>
/// The analysis settings of a study file (<c>analysis</c>), shown in the report's methods. <see cref="Default"/> is the
/// analysis a study gets without the section: raw scores, k by the largest relative jump among 2..8 with every cluster at
/// 10 % of dyads, complete trajectories only, no follow-up end.
/// </summary>
/// <param name="FixedK">A fixed number of clusters (<c>clusters.k</c>), or null for the rule.</param>
/// <param name="Rule">How the rule reads the agglomeration coefficient (<c>clusters.rule</c>).</param>
/// <param name="MinClusterShare">Every cluster's minimum share of dyads (<c>clusters.minShare</c>).</param>
/// <param name="MinK">Smallest k the rule considers (<c>clusters.minK</c>).</param>
/// <param name="MaxK">Largest k the rule considers (<c>clusters.maxK</c>).</param>
/// <param name="Deviation">Cluster deviation scores (<c>scores: deviation</c>) rather than raw ones.</param>
/// <param name="Missing">What happens to dyads with a meeting missing (<c>missingMeetings</c>).</param>
/// <param name="FollowUp">The follow-up (<c>followUp</c>), or null when the study sets none.</param>
/// <param name="PrimaryTest">The test named primary (<c>primaryTest</c>), or null: every test exploratory.</param>
public sealed record StudyAnalysis(
    int? FixedK = null,
    ClusterRule Rule = ClusterRule.Relative,
    double MinClusterShare = 0.10,
    int MinK = 2,
    int MaxK = 8,
    bool Deviation = false,
    MissingMeetings Missing = MissingMeetings.Complete,
    FollowUp? FollowUp = null,
    PrimaryTest? PrimaryTest = null)
{
    /// <summary>The analysis without an <c>analysis</c> section.</summary>
    public static StudyAnalysis Default { get; } = new();
}
