using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AlliancePipeline.Functions.Tests.Reports;

/// <summary>Runs a report set's reproduce.R with <c>Rscript</c>.</summary>
public static class RScript
{
    /// <summary>Runs <paramref name="script"/> on <paramref name="responsesCsv"/> in a folder of its own; R's output.</summary>
    public static JsonNode RunReproduce(string script, string responsesCsv, string? clustersJson = null, string? dyadsCsv = null)
    {
        var (exitCode, output, folder) = Run(script, responsesCsv, clustersJson, dyadsCsv: dyadsCsv);
        Assert.True(exitCode == 0, $"Rscript exited {exitCode}: {output}");
        return JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "out.json")))!;
    }

    /// <summary>
    /// Runs <paramref name="script"/> beside <paramref name="responsesCsv"/>, <paramref name="clustersJson"/> and <paramref name="dyadsCsv"/> (when given);
    /// its exit code, standard error then output, and folder. Rscript must be installed: a machine without R fails here,
    /// loudly, never skips (CI=true or not).
    /// </summary>
    public static (int ExitCode, string Output, string Folder) Run(string script, string responsesCsv, string? clustersJson = null, IReadOnlyDictionary<string, string>? environment = null, string? dyadsCsv = null)
    {
        var folder = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts", "reproduce", Guid.NewGuid().ToString("N")[..8]));
        File.WriteAllText(Path.Combine(folder.FullName, "reproduce.R"), script);
        File.WriteAllText(Path.Combine(folder.FullName, "responses.csv"), responsesCsv);
        if (clustersJson is not null) File.WriteAllText(Path.Combine(folder.FullName, "clusters.json"), clustersJson);
        if (dyadsCsv is not null) File.WriteAllText(Path.Combine(folder.FullName, "dyads.csv"), dyadsCsv);
        var start = new ProcessStartInfo("Rscript", ["--vanilla", "reproduce.R", "responses.csv", "out.json"])
        {
            WorkingDirectory = folder.FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        Process r;
        try
        {
            r = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"Rscript could not be started ({e.Message}): R (Debian's r-base-core, r-cran-survival) is required for the reproduce.R tests, in CI and here; tools/test.sh installs it.");
            throw;
        }
        using (r)
        {
            var stdout = r.StandardOutput.ReadToEndAsync();
            var stderr = r.StandardError.ReadToEndAsync();
            Assert.True(r.WaitForExit(TimeSpan.FromSeconds(300)), "Rscript did not finish within 5 minutes");
            return (r.ExitCode, stderr.Result + "\n" + stdout.Result, folder.FullName);
        }
    }
}
