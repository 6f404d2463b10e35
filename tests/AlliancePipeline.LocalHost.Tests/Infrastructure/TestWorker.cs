using System.Reflection;
using Microsoft.Extensions.Logging.Testing;

namespace AlliancePipeline.LocalHost.Tests.Infrastructure;

/// <summary>The test worker (tests/AlliancePipeline.LocalHost.TestWorker) and the options that host it.</summary>
public static class TestWorker
{
    /// <summary>Its build output for this configuration (built first by the project reference).</summary>
    public static string OutputDirectory { get; } = Path.GetFullPath(typeof(TestWorker).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .First(a => a.Key == "TestWorkerOutput").Value!);

    /// <summary>
    /// Options for a host of the test worker on <paramref name="storage"/>: a free port, logs in <paramref name="log"/>,
    /// no settings file, no MailDev; queues <c>work</c>, <c>text</c>, <c>submissions</c>, <c>fanout</c>, and a Tick
    /// every 2 seconds unless <paramref name="settings"/> says otherwise.
    /// </summary>
    public static LocalHostOptions Options(string storage, FakeLogCollector log, IReadOnlyDictionary<string, string>? settings = null)
    {
        var options = new LocalHostOptions
        {
            ScriptRoot = OutputDirectory,
            HttpPort = 0,
            SettingsFile = Path.Combine(OutputDirectory, "no-such-settings-file.json"),
            StartMailDev = false,
            // Debug and up (the framework's own categories from Information), kept in memory: nothing goes to the console,
            // so expected failures print no fail: lines.
            LoggerFactory = LoggerFactory.Create(b => b
                .SetMinimumLevel(LogLevel.Debug)
                .AddFilter("Microsoft", LogLevel.Information)
                .AddFilter("Grpc", LogLevel.Information)
                .AddProvider(new FakeLoggerProvider(log))),
            WorkerStartupTimeout = TimeSpan.FromSeconds(60),
        };
        options.SettingOverrides["AzureWebJobsStorage"] = storage;
        options.SettingOverrides["WorkQueue"] = "work";
        options.SettingOverrides["TextQueue"] = "text";
        options.SettingOverrides["SubmitQueue"] = "submissions";
        options.SettingOverrides["FanoutQueue"] = "fanout";
        options.SettingOverrides["TickSchedule"] = "*/2 * * * * *";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) options.SettingOverrides[key] = value;
        return options;
    }
}
