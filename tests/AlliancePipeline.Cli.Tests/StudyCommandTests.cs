using AlliancePipeline.Cli.Commands;

namespace AlliancePipeline.Cli.Tests;

/// <summary><c>alliance study apply</c>'s own checks and words, before and without the app.</summary>
public sealed class StudyCommandTests
{
    private static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = AllianceCli.RunAsync(args, output, error).GetAwaiter().GetResult();
        return (exit, output.ToString(), error.ToString());
    }

    private static string Example()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "docs", "examples", "study.example.yaml");
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException("docs/examples/study.example.yaml");
    }

    [Fact]
    public void A_file_with_errors_is_refused_here_with_each_line_and_field_and_nothing_is_sent()
    {
        var folder = Directory.CreateTempSubdirectory("study-cli").FullName;
        var file = Path.Combine(folder, "study.yaml");
        File.WriteAllText(file, File.ReadAllText(Example()).Replace("practitioner: p-002\n    client: c-003", "practitioner: p-009\n    client: c-003", StringComparison.Ordinal));
        // The address answers nothing: the file must be refused before any request.
        var (exit, output, error) = Run("study", "apply", file, "--url", "http://127.0.0.1:9/");
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Contains("study.yaml has 1 error(s); nothing was sent.", error, StringComparison.Ordinal);
        Assert.Matches(@"study\.yaml:\d+:\d+: dyads\[2\]\.practitioner: rater 'p-009' is not listed under raters", error);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
        Directory.Delete(folder, true);
    }

    [Fact]
    public void A_missing_file_and_an_app_that_does_not_answer_are_said_in_one_line()
    {
        var (exit, _, error) = Run("study", "apply", "/nonexistent/study.yaml");
        Assert.Equal(1, exit);
        Assert.Equal("alliance study apply: study.yaml cannot be read: no such file.", error.Trim());

        (exit, _, error) = Run("study", "apply", Example(), "--url", "http://127.0.0.1:9/");
        Assert.Equal(1, exit);
        Assert.Equal("alliance study apply: the app at http://127.0.0.1:9/ did not answer (nothing listens there). Is it running? (--url, or ALLIANCE_URL)", error.Trim());

        (exit, _, error) = Run("study", "apply", Example(), "--url", "not-an-address");
        Assert.Equal(1, exit);
        Assert.Contains("--url 'not-an-address' is not an http(s) address", error, StringComparison.Ordinal);
    }
}
