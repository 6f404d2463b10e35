using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AlliancePipeline.Functions.Tests.Reports;

/// <summary>Runs a report set's reproduce.R with <c>Rscript</c>.</summary>
public static class RScript
{
    /// <summary>Runs <paramref name="script"/> on <paramref name="responsesCsv"/> in a folder of its own; R's output.</summary>
    public static JsonNode RunReproduce(string script, string responsesCsv)
    {
        var folder = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts", "reproduce", Guid.NewGuid().ToString("N")[..8]));
        File.WriteAllText(Path.Combine(folder.FullName, "reproduce.R"), script);
        File.WriteAllText(Path.Combine(folder.FullName, "responses.csv"), responsesCsv);
        var start = new ProcessStartInfo("Rscript", ["--vanilla", "reproduce.R", "responses.csv", "out.json"])
        {
            WorkingDirectory = folder.FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var r = Process.Start(start)!;
        var stdout = r.StandardOutput.ReadToEndAsync();
        var stderr = r.StandardError.ReadToEndAsync();
        Assert.True(r.WaitForExit(TimeSpan.FromSeconds(120)), "Rscript did not finish within 2 minutes");
        Assert.True(r.ExitCode == 0, $"Rscript exited {r.ExitCode}: {stderr.Result}\n{stdout.Result}");
        return JsonNode.Parse(File.ReadAllText(Path.Combine(folder.FullName, "out.json")))!;
    }
}
