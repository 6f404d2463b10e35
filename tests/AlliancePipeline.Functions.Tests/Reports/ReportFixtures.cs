using System.Collections.Immutable;
using System.Text.Json.Nodes;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Scoring;

namespace AlliancePipeline.Functions.Tests.Reports;

/// <summary>
/// Report inputs built from R's reference data: the paper-like study (18 dyads × 3 meetings, R's tree and cutree known)
/// with twelve answers per response whose global score is the reference value exactly, scored by the app's scorer with
/// the shipped WAI-S practitioner form (items 4 and 10 reversed), and outcomes that make its cluster × outcome table the
/// first table of R's <c>fisher.json</c> (the published 80 % / 70 % / 33 %).
/// </summary>
public static class ReportFixtures
{
    public static readonly DateTimeOffset At = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    public static readonly DateOnly Enrolled = new(2026, 1, 5);
    public static readonly InstrumentDefinition Practitioner = InstrumentCatalog.Shipped.Get("wai-s-practitioner");
    public static readonly InstrumentDefinition Client = InstrumentCatalog.Shipped.Get("wai-s-client");

    /// <summary>A file above the test folder (in the repository, found from its root).</summary>
    public static string Find(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine([dir.FullName, .. parts]);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"{Path.Combine(parts)} is not beside any ancestor of {AppContext.BaseDirectory}.");
    }

    public static JsonNode Json(params string[] parts) => JsonNode.Parse(File.ReadAllText(Find(parts)))!;

    /// <summary>R's reference of the paper-like data: X, merge, height, order, cutree for k = 2..6.</summary>
    public static JsonNode PaperLike() => Json("tests", "reference", "shared", "ward_paper_like_18x3.json");

    public static double[][] Matrix(JsonNode node) => node.AsArray().Select(r => r!.AsArray().Select(v => v!.GetValue<double>()).ToArray()).ToArray();

    public static int[] Ints(JsonNode node) => node.AsArray().Select(v => v!.GetValue<int>()).ToArray();

    /// <summary>
    /// Twelve answers (as given) whose scored items sum to round(12 × global): the sum spread as evenly as possible, the
    /// extra points on the first items, then reverse items given back as min + max − score.
    /// </summary>
    public static int[] Answers(InstrumentDefinition instrument, double global, int seed)
    {
        var n = instrument.Items.Length;
        var sum = (int)Math.Round(global * n);
        var scored = Enumerable.Repeat(sum / n, n).ToArray();
        for (var i = 0; i < sum % n; i++) scored[(i + seed) % n]++;
        return instrument.Items.Select(item => item.Reverse ? instrument.Scale.Reverse(scored[item.Number - 1]) : scored[item.Number - 1]).ToArray();
    }

    /// <summary>A stored response scored by the app's scorer from <paramref name="answers"/>.</summary>
    public static StoredResponse Response(string studyId, string siteId, string dyad, int meeting, string role, int[] answers, InstrumentDefinition instrument, DateTimeOffset submitted)
    {
        var scored = InstrumentScorer.Score(instrument, instrument.Items.ToImmutableDictionary(i => i.Id, i => (int?)answers[i.Number - 1], StringComparer.Ordinal));
        var s = scored.Value!.Scores;
        return new StoredResponse(studyId, $"{dyad}-m{meeting}-{role}", siteId, dyad, meeting, role, answers, s.Columns.ToDictionary(c => c.Key, c => c.Value!.Value, StringComparer.Ordinal),
            s.Global!.Value, submitted);
    }

    /// <summary>A stored WAI response whose four scores (Goal, Task, Bond, Global) are all <paramref name="score"/>.</summary>
    public static StoredResponse Wai(string studyId, string assessmentId, string siteId, string dyad, int meeting, string role, int[] answers, double score, DateTimeOffset submitted) =>
        new(studyId, assessmentId, siteId, dyad, meeting, role, answers,
            new Dictionary<string, double>(StringComparer.Ordinal) { ["Goal"] = score, ["Task"] = score, ["Bond"] = score, ["Global"] = score }, score, submitted);

    /// <summary>
    /// The paper-like study as a report input: dyads d01..d18 at site-a (the odd ones in arm ips, the even in tvs), the
    /// practitioner's answers giving R's X exactly, raters p1..p6 (three dyads each), and an outcome per dyad: in R's
    /// k = 3 clusters of 10, 5 and 3 dyads, 7, 4 and 1 employed (7/10, 4/5, 1/3: the first table of fisher.json), the
    /// job on day 30 + 7 × dyad number after enrolment.
    /// </summary>
    public static ReportInput PaperLikeInput(string studyId = "paper-like", string runId = "run-1")
    {
        var reference = PaperLike();
        var x = Matrix(reference["X"]!);
        var cut3 = Ints(reference["cutree_k2_to_k6"]![1]!);
        var responses = new List<StoredResponse>();
        var assessments = new List<ReportAssessment>();
        for (var i = 0; i < x.Length; i++)
        {
            var dyad = $"d{i + 1:00}";
            for (var m = 1; m <= x[i].Length; m++)
            {
                var response = Response(studyId, "site-a", dyad, m, "practitioner", Answers(Practitioner, x[i][m - 1], i + m), Practitioner, At.AddDays(-100 + 7 * m).AddMinutes(i));
                responses.Add(response);
                assessments.Add(new ReportAssessment(response.AssessmentId, "site-a", dyad, m, "practitioner", $"p{i % 6 + 1}", Arm(i), "Completed",
                    At.AddDays(-100 + 7 * m), At.AddDays(-95 + 7 * m)));
            }
        }
        // Employed per cluster: the first 7 of cluster 1 (10 dyads), 4 of cluster 2 (5), 1 of cluster 3 (3), in dyad order.
        var quota = new Dictionary<int, int> { [1] = 7, [2] = 4, [3] = 1 };
        var outcomes = new List<ReportOutcome>();
        for (var i = 0; i < cut3.Length; i++)
        {
            var employed = quota[cut3[i]]-- > 0;
            outcomes.Add(new ReportOutcome($"d{i + 1:00}", employed, employed ? Enrolled.AddDays(30 + 7 * (i + 1)) : null, Enrolled, At.AddDays(-10)));
        }
        return new ReportInput
        {
            StudyId = studyId,
            StudyName = "Paper-like study",
            RunId = runId,
            GeneratedAt = At,
            Instruments = new Dictionary<string, InstrumentDefinition> { ["practitioner"] = Practitioner, ["client"] = Client },
            Sites = [new ReportSite("site-a", "Site A")],
            Arms = [new ReportArm("ips", "Individual placement and support"), new ReportArm("tvs", "Traditional vocational services")],
            PlannedMeetings = 3,
            Responses = responses,
            Assessments = assessments,
            Dyads = Enumerable.Range(0, x.Length).Select(i => new ReportDyad($"d{i + 1:00}", "site-a", Arm(i), Enrolled, false)).ToArray(),
            Outcomes = outcomes,
        };
    }

    private static string Arm(int i) => i % 2 == 0 ? "ips" : "tvs";
}
