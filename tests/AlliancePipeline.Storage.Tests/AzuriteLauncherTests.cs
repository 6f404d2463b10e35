using System.Net.Sockets;
using AlliancePipeline.Storage.Common;
using AlliancePipeline.Storage.Emulator;
using AlliancePipeline.Storage.Queues;

namespace AlliancePipeline.Storage.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class AzuriteLauncherTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_running_Azurite_is_reused_and_not_stopped_by_the_handle()
    {
        var options = azurite.Options with { Location = null, DeleteLocationOnDispose = false };
        await using (var handle = await Azurite.EnsureRunningAsync(options))
        {
            Assert.False(handle.StartedHere);
            Assert.Equal(azurite.Account.QueueEndpoint, handle.Account.QueueEndpoint);
        }

        Assert.True(await EmulatorProcess.AllAnswerAsync([options.BlobPort, options.QueuePort, options.TablePort]));
        await azurite.Queues.GetQueueClient(AzuriteFixture.UniqueName("q")).CreateIfNotExistsAsync();
    }

    [Fact]
    public async Task Azurite_on_free_ports_is_started_with_its_own_data_folder_and_stopped_on_dispose()
    {
        var ports = FreePorts(3);
        var tools = EmulatorTools.Locate();
        var location = Path.Combine(tools.RepositoryRoot, ".azurite", "launcher-test-" + Guid.NewGuid().ToString("N"));
        var log = new List<string>();
        try
        {
            await using (var handle = await Azurite.EnsureRunningAsync(new AzuriteOptions { BlobPort = ports[0], QueuePort = ports[1], TablePort = ports[2], Location = location, Log = log.Add }))
            {
                Assert.True(handle.StartedHere);
                Assert.Equal(new Uri($"http://127.0.0.1:{ports[1]}/devstoreaccount1"), handle.Account.QueueEndpoint);
                var queue = new QueueServiceClient(handle.Account).GetQueueClient("launcher");
                await queue.CreateIfNotExistsAsync();
                await queue.SendMessageAsync("hello");
                Assert.Equal(1, (await queue.GetApproximateMessageCountAsync()).Value);
                Assert.True(Directory.EnumerateFileSystemEntries(location).Any());
            }

            Assert.Contains(log, l => l.StartsWith("Starting Azurite", StringComparison.Ordinal));
            foreach (var port in ports) Assert.False(await EmulatorProcess.AnswersAsync(port), $"port {port} still answers after dispose");
        }
        finally
        {
            if (Directory.Exists(location)) Directory.Delete(location, recursive: true);
        }
    }

    [Fact]
    public void The_default_ports_give_the_development_storage_account()
    {
        var options = new AzuriteOptions();
        Assert.Equal((10000, 10001, 10002), (options.BlobPort, options.QueuePort, options.TablePort));
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), StorageAccount.DevelopmentStorage.TableEndpoint);
    }

    [Fact]
    public void The_repository_is_found_with_its_pinned_emulators()
    {
        var tools = EmulatorTools.Locate();
        Assert.True(File.Exists(Path.Combine(tools.Directory, "package-lock.json")));
        Assert.EndsWith(Path.Combine("node_modules", ".bin", "azurite"), tools.BinPath("azurite"));
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(System.Net.IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((System.Net.IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}
