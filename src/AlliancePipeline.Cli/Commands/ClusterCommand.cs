using System.CommandLine;
using System.Text.Json;
using AlliancePipeline.Analytics.Analysis;
using AlliancePipeline.Analytics.Clustering;
using AlliancePipeline.Analytics.Patterns;

namespace AlliancePipeline.Cli.Commands;

/// <summary>
/// <c>alliance cluster --input FILE.csv [--deviation] [--k K] [--rule relative|absolute] [--scale MIN-MAX] [--min-change POINTS] [--json]</c>: Ward clustering as R's
/// <c>hclust(dist(X), "ward.D2")</c>, printed for people as the chosen k with its reason and a dyad → cluster → pattern
/// table (<see cref="Table"/>), or with <c>--json</c> as JSON: <c>merge</c>, <c>height</c>, <c>order</c> (R's conventions),
/// <c>cutree</c> for k = 2..6, whether the tree is certified equal to R's, the chosen k with its reason, the candidates
/// table, the named patterns (a label unique to each cluster) and warnings. Warnings also go to standard error, so a
/// researcher sees them without reading the JSON.
/// </summary>
public static class ClusterCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var input = new Option<FileInfo>("--input", "-i")
        {
            Description = "CSV with a header; first column the dyad id, the others the score at each meeting in order (empty or NA: missing).",
            Required = true,
        };
        var deviation = new Option<bool>("--deviation") { Description = "Cluster deviation (shape-only) scores: each score minus the dyad's mean." };
        var k = new Option<int?>("--k")
        {
            Description = "Fix the number of clusters (2 to the number of complete dyads) instead of choosing it.",
            CustomParser = r => OptionValues.Whole(r, 2, int.MaxValue, "give a whole number of clusters, 2 or more.", "a clustering needs at least 2 clusters."),
        };
        var rule = new Option<ClusterCountCriterion>("--rule")
        {
            Description = "How k is chosen from the agglomeration coefficient: relative (largest relative jump, the default) or absolute (largest absolute increase, as the schedule is read in SPSS).",
            DefaultValueFactory = _ => ClusterCountCriterion.Relative,
        };
        var scale = new Option<string>("--scale")
        {
            Description = "Lowest and highest possible score, MIN-MAX; every score must lie on it. Default 1-7 (WAI short form); 1-5 for the WAI-SR.",
            DefaultValueFactory = _ => "1-7",
        };
        var minChange = new Option<double>("--min-change")
        {
            Description = "Smallest fitted change, in score points, that gets a shape name (trend, U, inverted U); smaller movements are called stable. Default 0.5.",
            DefaultValueFactory = _ => 0.5,
            CustomParser = r => OptionValues.Positive(r, "give a positive number of score points (for example 0.5).") ?? 0.5,
        };
        scale.Validators.Add(result =>
        {
            if (ScoreScale.Parse(result.GetValueOrDefault<string>() ?? "", out string? problem) is null) result.AddError(problem!);
        });
        var json = new Option<bool>("--json") { Description = "Print the full result as JSON (R's merge, height, order, cutree; k and its candidates; the patterns), for scripts." };
        var command = new Command("cluster", "Cluster alliance trajectories by Ward's method (equal to R's hclust ward.D2) and name the patterns.")
        {
            input, deviation, k, rule, scale, minChange, json,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var file = parse.GetRequiredValue(input);
            var scoreScale = ScoreScale.Parse(parse.GetValue(scale) ?? "1-7", out _)!;
            TrajectoryMatrix trajectories;
            try
            {
                using var reader = file.OpenText();
                trajectories = TrajectoryCsv.Read(reader, scoreScale);
            }
            catch (CsvFormatException ex)
            {
                if (ex.Count == 1)
                {
                    error.WriteLine($"alliance cluster: {file.Name} {ex.Message}");
                    return 1;
                }
                var listed = ex.Count > ex.Problems.Count ? $" (the first {ex.Problems.Count} listed)" : "";
                error.WriteLine($"alliance cluster: {file.Name} has {ex.Count} problems{listed}; nothing was clustered:");
                foreach (var problem in ex.Problems) error.WriteLine("  " + problem);
                return 1;
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"alliance cluster: {file.Name}: {ex.Message}");
                return 1;
            }
            try
            {
                var result = TrajectoryAnalysis.Run(trajectories, new TrajectoryAnalysisOptions
                {
                    Deviation = parse.GetValue(deviation),
                    FixedK = parse.GetValue(k),
                    Rule = parse.GetValue(rule),
                    Thresholds = new PatternThresholds { MinChange = parse.GetValue(minChange) },
                });
                output.Write(parse.GetValue(json) ? ToJson(result, parse.GetValue(deviation), scoreScale) + "\n" : Table(result));
                foreach (var warning in result.Warnings) error.WriteLine($"alliance cluster: warning: {warning}");
                return 0;
            }
            catch (ArgumentException ex)
            {
                error.WriteLine($"alliance cluster: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>
    /// What the command prints for people: the chosen k with its reason, then one line per dyad (in the file's order of
    /// the clustered dyads) with its cluster, the cluster's pattern label and name, and the dyads not clustered.
    /// </summary>
    public static string Table(TrajectoryAnalysisResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var clusters = r.Clusters.ToDictionary(c => c.Cluster);
        var rows = r.ClusteredDyadIds.Select(id =>
        {
            var c = clusters[r.Assignments[id]];
            return (IReadOnlyList<string>)[id, c.Cluster.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Label, c.Shape.Pattern.ToString()];
        }).Concat(r.IncompleteDyadIds.Select(id => (IReadOnlyList<string>)[id, "-", "-", "not clustered: a meeting is missing"]));
        var sizes = string.Join(", ", r.Clusters.OrderBy(c => c.Cluster).Select(c => $"{c.Label} {c.Descriptive.N}"));
        return $"{r.Selection.Reason}\nClusters: {sizes}.\n\n" + TextTable.Format(["DYAD", "CLUSTER", "PATTERN", "NAME"], rows);
    }

    /// <summary>The JSON document the command prints (non-finite numbers, such as an infinite Calinski–Harabasz index, as null).</summary>
    public static string ToJson(TrajectoryAnalysisResult r, bool deviation, ScoreScale scale)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            var tree = r.Dendrogram;
            w.WriteStartObject();
            w.WriteString("method", deviation ? "hclust(dist(X - rowMeans(X)), method = \"ward.D2\")" : "hclust(dist(X), method = \"ward.D2\")");
            w.WriteBoolean("deviation", deviation);
            w.WriteNumber("n", tree.Count);
            w.WriteString("algorithm", tree.Path.ToString());
            w.WriteBoolean("certified_equal_to_r", tree.CertifiedEqualToR);
            w.WriteStartArray("scale");
            w.WriteNumberValue(scale.Minimum);
            w.WriteNumberValue(scale.Maximum);
            w.WriteEndArray();
            Strings(w, "warnings", r.Warnings);
            Strings(w, "ids", r.ClusteredDyadIds);
            Strings(w, "incomplete", r.IncompleteDyadIds);
            w.WriteStartArray("merge");
            for (int s = 0; s < tree.Count - 1; s++)
            {
                w.WriteStartArray();
                w.WriteNumberValue(tree.MergeLeft(s));
                w.WriteNumberValue(tree.MergeRight(s));
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteStartArray("height");
            foreach (double h in tree.Heights) Number(w, h);
            w.WriteEndArray();
            w.WriteStartArray("order");
            foreach (int o in tree.Order) w.WriteNumberValue(o);
            w.WriteEndArray();
            w.WriteStartObject("cutree");
            for (int k = 2; k <= Math.Min(6, tree.Count); k++)
            {
                w.WriteStartArray(k.ToString(System.Globalization.CultureInfo.InvariantCulture));
                foreach (int l in tree.CutTree(k)) w.WriteNumberValue(l);
                w.WriteEndArray();
            }
            w.WriteEndObject();
            w.WriteNumber("k", r.Selection.K);
            w.WriteString("k_rule", r.Selection.Rule.ToString());
            w.WriteString("k_reason", r.Selection.Reason);
            w.WriteStartArray("k_candidates");
            foreach (var c in r.Selection.Candidates)
            {
                w.WriteStartObject();
                w.WriteNumber("k", c.K);
                Number(w, "coefficient", c.Coefficient);
                Number(w, "relative_jump", c.RelativeJump);
                Number(w, "increase", c.Increase);
                w.WriteNumber("smallest_cluster", c.SmallestClusterSize);
                w.WriteBoolean("admissible", c.Admissible);
                Number(w, "calinski_harabasz", c.CalinskiHarabasz);
                Number(w, "mean_silhouette", c.MeanSilhouette);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("naming");
            Number(w, "min_change", r.Naming.MinChange);
            Number(w, "high_level", r.Naming.HighLevel ?? double.NaN);
            w.WriteEndObject();
            w.WriteStartArray("patterns");
            foreach (var c in r.Clusters)
            {
                w.WriteStartObject();
                w.WriteNumber("cluster", c.Cluster);
                w.WriteString("label", c.Label);
                w.WriteString("pattern", c.Shape.Code);
                w.WriteString("name", c.Shape.Pattern.ToString());
                w.WriteNumber("n", c.Descriptive.N);
                w.WriteNumber("share", c.Descriptive.Share);
                w.WriteStartArray("centroid");
                foreach (double v in c.Centroid) Number(w, v);
                w.WriteEndArray();
                Number(w, "level", c.Shape.Level);
                Number(w, "change", c.Shape.Change);
                Number(w, "bend", c.Shape.Bend);
                Number(w, "slope", c.Shape.Slope);
                Number(w, "curvature", c.Shape.Curvature);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        w.WritePropertyName(name);
        Number(w, value);
    }

    private static void Number(Utf8JsonWriter w, double value)
    {
        if (double.IsFinite(value)) w.WriteNumberValue(value); else w.WriteNullValue();
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
