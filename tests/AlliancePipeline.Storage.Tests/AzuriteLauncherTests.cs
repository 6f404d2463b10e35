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
    public async Task An_isolated_Azurite_is_started_with_its_own_data_folder_and_stopped_and_removed_on_dispose()
    {
        var log = new List<string>();
        var options = AzuriteOptions.Isolated(log.Add);
        int[] ports = [options.BlobPort, options.QueuePort, options.TablePort];
        Assert.DoesNotContain(azurite.Options.QueuePort, ports);
        await using (var handle = await Azurite.EnsureRunningAsync(options))
        {
            Assert.True(handle.StartedHere);
            Assert.Equal(new Uri($"http://127.0.0.1:{options.QueuePort}/devstoreaccount1"), handle.Account.QueueEndpoint);
            var queue = new QueueServiceClient(handle.Account).GetQueueClient("launcher");
            await queue.CreateIfNotExistsAsync();
            await queue.SendMessageAsync("hello");
            Assert.Equal(1, (await queue.GetApproximateMessageCountAsync()).Value);
            Assert.True(Directory.EnumerateFileSystemEntries(options.Location!).Any());
        }

        Assert.Contains(log, l => l.StartsWith("Starting Azurite", StringComparison.Ordinal));
        foreach (var port in ports) Assert.False(await EmulatorProcess.AnswersAsync(port), $"port {port} still answers after dispose");
        Assert.False(Directory.Exists(options.Location));
    }

    [Fact]
    public async Task MailDev_starts_the_same_way_and_stops_on_dispose()
    {
        var ports = EmulatorProcess.FreePorts(2);
        var maildev = await MailDev.EnsureRunningAsync(smtpPort: ports[0], webPort: ports[1]);
        Assert.NotNull(maildev);
        await using (maildev)
        {
            Assert.Equal("maildev", maildev.Name);
            using var http = new HttpClient();
            var page = await http.GetAsync($"http://127.0.0.1:{ports[1]}/");
            Assert.True(page.IsSuccessStatusCode);
        }

        foreach (var port in ports) Assert.False(await EmulatorProcess.AnswersAsync(port), $"port {port} still answers after dispose");
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
}
