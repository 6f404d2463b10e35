using System.CommandLine;
using System.Text.Json;
using AlliancePipeline.Analytics.Analysis;

namespace AlliancePipeline.Cli.Commands;

/// <summary>
/// <c>alliance cluster --input FILE.csv [--deviation] [--k K]</c>: Ward clustering as R's
/// <c>hclust(dist(X), "ward.D2")</c>, printed as JSON: <c>merge</c>, <c>height</c>, <c>order</c> (R's conventions),
/// <c>cutree</c> for k = 2..6, the chosen k with its reason, the candidates table and the named patterns.
/// </summary>
public static class ClusterCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var input = new Option<FileInfo>("--input", "-i")
        {
            Description = "CSV with a header; first column the dyad id, the others the meetings in order.",
            Required = true,
        };
        var deviation = new Option<bool>("--deviation") { Description = "Cluster deviation (shape-only) scores: each score minus the dyad's mean." };
        var k = new Option<int?>("--k") { Description = "Fix the number of clusters instead of choosing it." };
        var command = new Command("cluster", "Cluster alliance trajectories by Ward's method (equal to R's hclust ward.D2) and name the patterns.")
        {
            input, deviation, k,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var file = parse.GetRequiredValue(input);
            try
            {
                TrajectoryMatrix trajectories;
                using (var reader = file.OpenText()) trajectories = TrajectoryCsv.Read(reader);
                var result = TrajectoryAnalysis.Run(trajectories, new TrajectoryAnalysisOptions
                {
                    Deviation = parse.GetValue(deviation),
                    FixedK = parse.GetValue(k),
                });
                output.WriteLine(ToJson(result, parse.GetValue(deviation)));
                return 0;
            }
            catch (CsvFormatException ex)
            {
                error.WriteLine($"alliance cluster: {file.Name} {ex.Message}");
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"alliance cluster: {file.Name}: {ex.Message}");
            }
            return 1;
        });
        return command;
    }

    /// <summary>The JSON document the command prints.</summary>
    public static string ToJson(TrajectoryAnalysisResult r, bool deviation)
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
            foreach (double h in tree.Heights) w.WriteNumberValue(h);
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
                w.WriteNumber("coefficient", c.Coefficient);
                if (double.IsFinite(c.RelativeJump)) w.WriteNumber("relative_jump", c.RelativeJump); else w.WriteNull("relative_jump");
                w.WriteNumber("smallest_cluster", c.SmallestClusterSize);
                w.WriteBoolean("admissible", c.Admissible);
                w.WriteNumber("calinski_harabasz", c.CalinskiHarabasz);
                w.WriteNumber("mean_silhouette", c.MeanSilhouette);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("patterns");
            foreach (var c in r.Clusters)
            {
                w.WriteStartObject();
                w.WriteNumber("cluster", c.Cluster);
                w.WriteString("pattern", c.Shape.Code);
                w.WriteString("name", c.Shape.Pattern.ToString());
                w.WriteNumber("n", c.Descriptive.N);
                w.WriteNumber("share", c.Descriptive.Share);
                w.WriteStartArray("centroid");
                foreach (double v in c.Centroid) w.WriteNumberValue(v);
                w.WriteEndArray();
                w.WriteNumber("level", c.Shape.Level);
                w.WriteNumber("slope", c.Shape.Slope);
                w.WriteNumber("curvature", c.Shape.Curvature);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
