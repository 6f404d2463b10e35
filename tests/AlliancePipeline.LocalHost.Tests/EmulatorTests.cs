using AlliancePipeline.Emulators;
using AlliancePipeline.LocalHost.Tests.Infrastructure;
using Azure.Storage.Queues;

namespace AlliancePipeline.LocalHost.Tests;

/// <summary>The emulator launcher (tools/AlliancePipeline.Emulators).</summary>
[Collection(DedicatedHostsCollection.Name)]
public sealed class EmulatorTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_running_Azurite_is_reused_and_not_stopped_by_the_handle()
    {
        var options = azurite.Options with { Location = null, DeleteLocationOnDispose = false };
        await using (var handle = await Azurite.EnsureRunningAsync(options))
        {
            Assert.False(handle.StartedHere);
            Assert.Null(handle.ProcessId);
            Assert.Equal(azurite.ConnectionString, handle.ConnectionString);
        }

        Assert.True(await EmulatorProcess.AllAnswerAsync([options.BlobPort, options.QueuePort, options.TablePort]));
        await azurite.Queues.GetQueueClient(AzuriteFixture.NewKey("reuse")).CreateIfNotExistsAsync();
    }

    [Fact]
    public async Task An_isolated_Azurite_serves_the_official_SDK_and_is_stopped_and_removed_on_dispose()
    {
        var log = new List<string>();
        var options = AzuriteOptions.Isolated(log.Add);
        int[] ports = [options.BlobPort, options.QueuePort, options.TablePort];
        Assert.DoesNotContain(azurite.Options.QueuePort, ports);
        await using (var handle = await Azurite.EnsureRunningAsync(options))
        {
            Assert.True(handle.StartedHere);
            Assert.Equal(new Uri($"http://127.0.0.1:{options.QueuePort}/devstoreaccount1"), handle.QueueEndpoint);
            var queue = new QueueClient(handle.ConnectionString, "launcher");
            await queue.CreateIfNotExistsAsync();
            await queue.SendMessageAsync("hello");
            Assert.Equal("hello", (await queue.ReceiveMessageAsync()).Value.Body.ToString());
            Assert.True(Directory.EnumerateFileSystemEntries(options.Location!).Any());
        }

        Assert.Contains(log, l => l.StartsWith("Starting Azurite", StringComparison.Ordinal));
        foreach (var port in ports) Assert.False(await EmulatorProcess.AnswersAsync(port), $"port {port} still answers after dispose");
        Assert.False(Directory.Exists(options.Location));
    }

    [Fact]
    public async Task MailDev_starts_when_its_ports_are_free_and_stops_on_dispose()
    {
        var ports = EmulatorProcess.FreePorts(2);
        await using (var maildev = await MailDev.EnsureRunningAsync(smtpPort: ports[0], webPort: ports[1]))
        {
            Assert.True(maildev.StartedHere);
            using var http = new HttpClient();
            Assert.True((await http.GetAsync(maildev.WebAddress)).IsSuccessStatusCode);
            await using var again = await MailDev.EnsureRunningAsync(smtpPort: ports[0], webPort: ports[1]);
            Assert.False(again.StartedHere);
        }

        foreach (var port in ports) Assert.False(await EmulatorProcess.AnswersAsync(port), $"port {port} still answers after dispose");
    }

    [Theory]
    [InlineData("UseDevelopmentStorage=true", 10000, 10001, 10002)]
    [InlineData("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=k;BlobEndpoint=http://127.0.0.1:21000/devstoreaccount1;QueueEndpoint=http://localhost:21001/devstoreaccount1;TableEndpoint=http://127.0.0.1:21002/devstoreaccount1;", 21000, 21001, 21002)]
    [InlineData("BlobEndpoint=http://127.0.0.1:31000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:31001/devstoreaccount1", 31000, 31001, 10002)]
    public void The_emulator_a_connection_string_points_at_is_recognized(string connectionString, int blob, int queue, int table)
    {
        var options = AzuriteOptions.ForConnectionString(connectionString);
        Assert.NotNull(options);
        Assert.Equal((blob, queue, table), (options.BlobPort, options.QueuePort, options.TablePort));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=real;AccountKey=a2V5;EndpointSuffix=core.windows.net")]
    [InlineData("BlobEndpoint=https://real.blob.core.windows.net/;QueueEndpoint=https://real.queue.core.windows.net/")]
    public void Another_account_is_not_taken_for_the_emulator(string? connectionString) =>
        Assert.Null(AzuriteOptions.ForConnectionString(connectionString));

    [Fact]
    public void Azurite_runs_with_the_flags_the_official_SDK_needs_and_the_pinned_tools_are_found()
    {
        Assert.Equal(["--skipApiVersionCheck", "--disableTelemetry", "--silent"], Azurite.Flags);
        var tools = EmulatorTools.Locate();
        Assert.True(File.Exists(Path.Combine(tools.Directory, "package-lock.json")));
        Assert.Contains("\"azurite\": \"3.35.0\"", File.ReadAllText(Path.Combine(tools.Directory, "package.json")), StringComparison.Ordinal);
        Assert.Equal(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + Azurite.AccountKey + ";BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:2/devstoreaccount1;TableEndpoint=http://127.0.0.1:3/devstoreaccount1;",
            Azurite.ConnectionString(1, 2, 3));
    }
}
