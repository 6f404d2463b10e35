using System.Text.Json;

namespace AlliancePipeline.Analytics.Tests.Reference;

/// <summary>Locates R's reference outputs: the repository's copy of the study's <c>shared/reference</c>
/// (<c>tests/reference/shared</c>), and the extra R outputs committed with these tests (<c>RData/</c>).</summary>
public static class ReferenceFiles
{
    private static readonly Lazy<string> SharedDir = new(() => FindAbove(Path.Combine("tests", "reference", "shared"))
        ?? throw new DirectoryNotFoundException($"R reference outputs not found: no tests/reference/shared above {AppContext.BaseDirectory}."));

    public static string SharedReference => SharedDir.Value;

    public static string ExtraDir => Path.Combine(AppContext.BaseDirectory, "RData");

    public static JsonDocument Shared(string file) => Load(Path.Combine(SharedReference, file));

    public static JsonDocument Extra(string file) => Load(Path.Combine(ExtraDir, file));

    public static JsonDocument Load(string path) => JsonDocument.Parse(File.ReadAllText(path));

    /// <summary>The folder <paramref name="relative"/> beside the nearest ancestor of the test's folder that has it, or null.</summary>
    public static string? FindAbove(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static double[][] Matrix(JsonElement e) =>
        e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();

    public static int[][] IntMatrix(JsonElement e) =>
        e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();

    public static double[] Vector(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public static int[] IntVector(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();
}

/// <summary>An R <c>hclust(dist(X), "ward.D2")</c> result read from a reference file.</summary>
public sealed record WardReference(string Name, double[][] X, int[][] Merge, double[] Height, int[] Order, int[][] CutTree)
{
    public static WardReference From(JsonDocument doc, string name)
    {
        var r = doc.RootElement;
        return new WardReference(name,
            ReferenceFiles.Matrix(r.GetProperty("X")),
            ReferenceFiles.IntMatrix(r.GetProperty("merge")),
            ReferenceFiles.Vector(r.GetProperty("height")),
            ReferenceFiles.IntVector(r.GetProperty("order")),
            ReferenceFiles.IntMatrix(r.GetProperty("cutree_k2_to_k6")));
    }

    public static WardReference Shared(string file) => From(ReferenceFiles.Shared(file), file);

    public static WardReference Extra(string file) => From(ReferenceFiles.Extra(file), file);

    public override string ToString() => Name;
}
