using AlliancePipeline.Functions.LocalDriver;
using Microsoft.Extensions.Configuration;

namespace AlliancePipeline.Functions.Tests;

public sealed class MetadataTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fnmeta").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    private void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_root, path))!);
        File.WriteAllText(Path.Combine(_root, path), text);
    }

    [Fact]
    public void Omitted_queue_settings_take_the_hosts_defaults()
    {
        Write("host.json", "{\"version\":\"2.0\"}");
        var m = FunctionAppMetadata.Load(_root);
        Assert.Equal(new QueueSettings { MaxPollingInterval = TimeSpan.FromMinutes(1), VisibilityTimeout = TimeSpan.Zero, BatchSize = 16, MaxDequeueCount = 5, NewBatchThreshold = 8 }, m.Host.Queues);
        Assert.Equal("api", m.Host.RoutePrefix);
        Assert.Empty(m.Functions);
    }

    [Fact]
    public void AzureFunctionsJobHost_settings_override_host_json_as_for_the_host()
    {
        Write("host.json", "{\"extensions\":{\"queues\":{\"batchSize\":16,\"maxPollingInterval\":\"00:00:02\"}}}");
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost:extensions:queues:batchSize"] = "4",
            ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:03",
        }).Build();
        var q = FunctionAppMetadata.Load(_root, config).Host.Queues;
        Assert.Equal(4, q.BatchSize);
        Assert.Equal(2, q.NewBatchThreshold);
        Assert.Equal(TimeSpan.FromSeconds(3), q.VisibilityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), q.MaxPollingInterval);
    }

    [Fact]
    public void A_function_json_without_one_trigger_is_refused_naming_the_file()
    {
        Write("host.json", "{}");
        Write("Broken/function.json", "{\"bindings\":[{\"type\":\"http\",\"direction\":\"out\",\"name\":\"res\"}]}");
        var e = Assert.Throws<InvalidDataException>(() => FunctionAppMetadata.Load(_root));
        Assert.Contains(Path.Combine("Broken", "function.json"), e.Message, StringComparison.Ordinal);
        Assert.Contains("exactly one trigger binding, has 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_queue_encoding_other_than_base64_is_refused()
    {
        Write("host.json", "{\"extensions\":{\"queues\":{\"messageEncoding\":\"none\"}}}");
        Assert.Contains("messageEncoding is 'none'", Assert.Throws<InvalidDataException>(() => FunctionAppMetadata.Load(_root)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_five_field_schedule_is_refused_naming_the_function()
    {
        var f = new FunctionDefinition { Name = "Nightly", TriggerType = "timerTrigger", TriggerName = "timer", Schedule = "0 2 * * *" };
        var e = Assert.Throws<InvalidDataException>(() => TimerScheduler.Parse(f));
        Assert.StartsWith("Nightly/function.json: schedule '0 2 * * *' is not a six-field", e.Message, StringComparison.Ordinal);
    }
}
