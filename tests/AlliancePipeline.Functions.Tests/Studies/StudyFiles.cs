namespace AlliancePipeline.Functions.Tests.Studies;

/// <summary>The repository's example study file, under a study id of the test's own.</summary>
public static class StudyFiles
{
    /// <summary>The example's study id.</summary>
    public const string ExampleId = "alliance-ips-example";

    /// <summary>The example file's text.</summary>
    public static string Example()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "docs", "examples", "study.example.yaml");
            if (File.Exists(path)) return File.ReadAllText(path);
        }
        throw new FileNotFoundException("docs/examples/study.example.yaml was not found above the test folder.");
    }

    /// <summary>The example under study id <paramref name="studyId"/>.</summary>
    public static string Example(string studyId) => Example().Replace($"id: {ExampleId}", $"id: {studyId}", StringComparison.Ordinal);

    /// <summary>The example under study id <paramref name="studyId"/>, allowing hand-over links when <paramref name="handOver"/>.</summary>
    public static string Example(string studyId, bool handOver) => Example(studyId) + (handOver ? "handOver: allowed\n" : "");
}
