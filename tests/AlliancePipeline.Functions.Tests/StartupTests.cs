using System.Diagnostics;

namespace AlliancePipeline.Functions.Tests;

/// <summary>The built worker, started without a host, refuses to run without its settings and names them.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task Without_settings_the_worker_exits_2_naming_each_missing_setting()
    {
        var empty = Directory.CreateTempSubdirectory("no-settings").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "AlliancePipeline.Functions.dll")])
            {
                WorkingDirectory = empty,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (var name in new[] { "AzureWebJobsStorage", "LinkSigning__Keys", "LinkSigning__CurrentKeyId", "AlliancePipeline__PublicBaseUrl", "WEBSITE_HOSTNAME" })
                start.Environment.Remove(name);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(2, process.ExitCode);
            var text = await stderr;
            Assert.Contains(" - AzureWebJobsStorage is missing", text, StringComparison.Ordinal);
            Assert.Contains(" - LinkSigning__Keys is missing", text, StringComparison.Ordinal);
            Assert.Contains(" - LinkSigning__CurrentKeyId is missing", text, StringComparison.Ordinal);
            Assert.Contains(" - AlliancePipeline__PublicBaseUrl is missing", text, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", text + await stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, true);
        }
    }
}
