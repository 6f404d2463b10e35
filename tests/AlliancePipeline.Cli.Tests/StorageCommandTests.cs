using AlliancePipeline.Cli.Commands;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Emulators;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Scoring;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging.Abstractions;

namespace AlliancePipeline.Cli.Tests;

/// <summary>
/// The commands that reach storage directly, against an Azurite of their own: <c>keys bootstrap</c> and
/// <c>poison list|replay</c>, with the app's own <see cref="PoisonQueue"/> moving the messages.
/// </summary>
public sealed class StorageCommandTests : IAsyncLifetime
{
    private AzuriteHandle? _azurite;

    private string Storage => _azurite!.ConnectionString;

    public async Task InitializeAsync() => _azurite = await Azurite.EnsureRunningAsync(AzuriteOptions.Isolated());

    public async Task DisposeAsync()
    {
        if (_azurite is not null) await _azurite.DisposeAsync();
    }

    [Fact]
    public async Task Poison_list_shows_the_recorded_reasons_and_replay_puts_the_messages_back_once()
    {
        var tables = new TableServiceClient(Storage);
        var queues = new QueueServiceClient(Storage, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await tables.CreateTableIfNotExistsAsync(StorageNames.AuditTable);
        await queues.GetQueueClient(StorageNames.ResponsesQueue).CreateIfNotExistsAsync();
        await queues.GetQueueClient(StorageNames.Poison(StorageNames.ResponsesQueue)).CreateIfNotExistsAsync();
        var poison = new PoisonQueue(tables, queues, TimeProvider.System, NullLogger<PoisonQueue>.Instance);
        await poison.MoveAsync(StorageNames.ResponsesQueue, new QueueMessageData("{\"first\":1}", "m-1", 1), "the study 'x' is not applied", default);
        await poison.MoveAsync(StorageNames.ResponsesQueue, new QueueMessageData("{\"second\":2}", "m-2", 1), "answers out of range", default);
        // One the host moved on its own after five failures: no reason recorded.
        await queues.GetQueueClient(StorageNames.Poison(StorageNames.ResponsesQueue)).SendMessageAsync("{\"third\":3}");

        var (code, output, error) = await RunAsync("poison", "list", "--queue", "responses", "--storage", Storage);
        Assert.True(code == 0, error);
        Assert.Contains("about 3 message(s)", output);
        Assert.Contains("the study 'x' is not applied", output);
        Assert.Contains("answers out of range", output);
        Assert.Contains("moved by the host after repeated failures", output);
        Assert.DoesNotContain("first", output); // the text only with --show-text
        (code, output, _) = await RunAsync("poison", "list", "--queue", "responses", "--storage", Storage, "--show-text");
        Assert.Contains("{\"first\":1}", output);

        (code, output, error) = await RunAsync("poison", "replay", "--queue", "responses", "--storage", Storage, "--max", "2");
        Assert.True(code == 0, error);
        Assert.Contains("2 message(s) put back on responses", output);
        (code, output, _) = await RunAsync("poison", "replay", "--queue", "responses", "--storage", Storage);
        Assert.Contains("1 message(s) put back on responses", output);

        var back = (await queues.GetQueueClient(StorageNames.ResponsesQueue).ReceiveMessagesAsync(32)).Value.Select(m => m.Body.ToString()).Order().ToArray();
        Assert.Equal(["{\"first\":1}", "{\"second\":2}", "{\"third\":3}"], back);
        Assert.Empty((await queues.GetQueueClient(StorageNames.Poison(StorageNames.ResponsesQueue)).PeekMessagesAsync(32)).Value);
        var replays = await tables.GetTableClient(StorageNames.AuditTable).QueryAsync<TableEntity>(e => e.PartitionKey == "replay-responses").ToListAsync();
        Assert.Equal(3, replays.Count);
    }

    [Fact]
    public async Task Poison_list_of_a_queue_never_poisoned_says_it_is_empty()
    {
        var (code, output, _) = await RunAsync("poison", "list", "--queue", "outbox", "--storage", Storage);
        Assert.Equal(0, code);
        Assert.Contains("outbox-poison: empty", output);
    }

    [Fact]
    public async Task Keys_bootstrap_stores_an_admin_key_that_only_its_hash_is_kept_of()
    {
        var (code, output, error) = await RunAsync("keys", "bootstrap", "--storage", Storage, "--days", "7");
        Assert.True(code == 0, error);
        var key = output.Trim();
        Assert.StartsWith("ak_", key);
        var rows = await new TableServiceClient(Storage).GetTableClient(StorageNames.AccessKeysTable).QueryAsync<TableEntity>().ToListAsync();
        var row = Assert.Single(rows);
        Assert.Contains(row.RowKey, key);
        Assert.DoesNotContain(rows.SelectMany(r => r.Select(p => p.Value)).OfType<string>(), v => v.Contains(key[("ak_".Length + 17)..], StringComparison.Ordinal));
        Assert.Contains("expires " + DateTimeOffset.UtcNow.AddDays(7).ToString("yyyy-MM-dd"), error);
    }

    [Theory]
    [InlineData("Give --storage CONNECTION-STRING (or ALLIANCE_STORAGE) or --account NAME.")]
    [InlineData("Give --storage or --account, not both.", "--storage", "UseDevelopmentStorage=true", "--account", "alliancest")]
    [InlineData("--account 'Not_A_Name' is not a storage account name", "--account", "Not_A_Name")]
    public async Task Storage_options_name_what_is_wrong(string expected, params string[] options)
    {
        var saved = Environment.GetEnvironmentVariable("ALLIANCE_STORAGE");
        Environment.SetEnvironmentVariable("ALLIANCE_STORAGE", null);
        try
        {
            var (code, _, error) = await RunAsync(["keys", "bootstrap", .. options]);
            Assert.Equal(1, code);
            Assert.Contains(expected, error);
        }
        finally
        {
            Environment.SetEnvironmentVariable("ALLIANCE_STORAGE", saved);
        }
    }

    [Fact]
    public async Task A_storage_that_does_not_answer_is_one_line_not_a_stack_trace()
    {
        var port = EmulatorProcess.FreePorts(1)[0];
        var (code, _, error) = await RunAsync("poison", "list", "--queue", "outbox", "--storage", Azurite.ConnectionString(port, port, port));
        Assert.Equal(1, code);
        Assert.Equal("alliance poison list: storage did not answer.", error.Trim());
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await AllianceCli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
