using System.Diagnostics;
using System.Text.Json.Nodes;
using AlliancePipeline.Functions.Tests.Reports;

namespace AlliancePipeline.Functions.Tests.Security;

/// <summary>
/// The link-signing key committed in the repository's history (commit 7f8c686, <c>local.settings.sample.json</c>), read
/// from that history when a test needs it: the repository holds it there already, and no file of today's tree repeats it.
/// </summary>
public static class CompromisedKey
{
    /// <summary>The commit that published the key.</summary>
    public const string Commit = "7f8c686";

    /// <summary>The key, base64, as the commit's sample settings carried it.</summary>
    public static string Read()
    {
        var root = Path.GetDirectoryName(ReportFixtures.Find("AlliancePipeline.sln"))!;
        var start = new ProcessStartInfo("git", ["-C", root, "show", $"{Commit}:local.settings.sample.json"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var git = Process.Start(start)!;
        var text = git.StandardOutput.ReadToEnd();
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git show {Commit} failed (the test needs the repository's history): {error}");
        var values = JsonNode.Parse(text)!["Values"]!.AsObject();
        return values["AlliancePipeline__Links__SigningKey"]!.GetValue<string>();
    }
}
