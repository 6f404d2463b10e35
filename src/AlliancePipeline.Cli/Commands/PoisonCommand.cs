using System.CommandLine;
using AlliancePipeline.Contracts.Storage;
using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace AlliancePipeline.Cli.Commands;

/// <summary>
/// <c>alliance poison list|replay --queue responses|outbox</c>: the messages the app gave up on. <c>list</c> shows each
/// message in <c>{queue}-poison</c> (id, when it was moved, its size) with the reason the app recorded in <c>Audit</c>
/// (none when the host moved it after five failed deliveries: then the function's log says why), never its text unless
/// <c>--show-text</c>. <c>replay</c> puts messages back on their queue, oldest first, once the cause is fixed; both
/// queues' functions are idempotent (a submission is scored once, a mail sent once), so a message replayed twice by a
/// crash between its send and its delete does no harm. Each replay is written to <c>Audit</c>
/// (<c>replay-{queue}</c>, through <see cref="AuditTrail"/>, the one writer of <c>Audit</c> rows).
/// </summary>
public static class PoisonCommand
{
    /// <summary>How long a message being replayed stays hidden from another replay.</summary>
    /// <summary>The most messages a queue peek or receive returns at once (the service's limit).</summary>
    private const int MaxMessagesPerCall = 32;

    private static readonly TimeSpan ReplayLease = TimeSpan.FromMinutes(5);

    /// <summary>Creates <c>poison</c>.</summary>
    public static Command Create()
    {
        var storage = new StorageOptions();
        var queue = new Option<string>("--queue") { Description = "responses (submissions) or outbox (emails).", Required = true };
        OptionValues.OneOf(queue, [.. StorageNames.Queues]);
        var showText = new Option<bool>("--show-text") { Description = "Print each message's text too (submissions hold answers: mind who sees them)." };
        var list = storage.AddTo(new Command("list", "List the messages in a queue's poison twin with the reason each was moved.") { queue, showText });
        list.SetAction((parse, ct) => RunAsync(parse, "poison list", storage, async (tables, queues, output) =>
        {
            var name = parse.GetRequiredValue(queue);
            var poison = queues.GetQueueClient(StorageNames.Poison(name));
            if (!(await poison.ExistsAsync(ct).ConfigureAwait(false)).Value)
            {
                await output.WriteLineAsync($"{poison.Name}: empty (the queue does not exist yet).").ConfigureAwait(false);
                return 0;
            }
            var reasons = await ReasonsAsync(tables, name, ct).ConfigureAwait(false);
            var count = (await poison.GetPropertiesAsync(ct).ConfigureAwait(false)).Value.ApproximateMessagesCount;
            var peeked = (await poison.PeekMessagesAsync(MaxMessagesPerCall, ct).ConfigureAwait(false)).Value;
            await output.WriteLineAsync($"{poison.Name}: about {count} message(s){(count > peeked.Length ? $", the oldest {peeked.Length} shown" : "")}.").ConfigureAwait(false);
            foreach (var message in peeked)
            {
                var reason = reasons.GetValueOrDefault(message.MessageId) ?? "moved by the host after repeated failures: see the function's log";
                await output.WriteLineAsync($"{message.MessageId}  {message.InsertedOn:yyyy-MM-dd HH:mm}Z  {message.Body.ToMemory().Length} bytes  {reason}").ConfigureAwait(false);
                if (parse.GetValue(showText)) await output.WriteLineAsync("    " + message.Body).ConfigureAwait(false);
            }
            return 0;
        }));

        var max = new Option<int?>("--max")
        {
            Description = "Replay at most this many (default: all).",
            CustomParser = r => OptionValues.Whole(r, 1, int.MaxValue, "give a whole number of messages, at least 1."),
        };
        var replay = storage.AddTo(new Command("replay", "Put a poison queue's messages back on their queue, oldest first, after fixing the cause.") { queue, max });
        replay.SetAction((parse, ct) => RunAsync(parse, "poison replay", storage, async (tables, queues, output) =>
        {
            var name = parse.GetRequiredValue(queue);
            var poison = queues.GetQueueClient(StorageNames.Poison(name));
            var target = queues.GetQueueClient(name);
            var audit = tables.GetTableClient(StorageNames.AuditTable);
            var limit = parse.GetValue(max) ?? int.MaxValue;
            var replayed = 0;
            if ((await poison.ExistsAsync(ct).ConfigureAwait(false)).Value)
            {
                while (replayed < limit)
                {
                    var batch = (await poison.ReceiveMessagesAsync(Math.Min(MaxMessagesPerCall, limit - replayed), ReplayLease, ct).ConfigureAwait(false)).Value;
                    if (batch.Length == 0) break;
                    foreach (var message in batch)
                    {
                        var sent = await target.SendMessageAsync(message.Body, cancellationToken: ct).ConfigureAwait(false);
                        await AuditTrail.WriteReplayedAsync(audit, name, message.MessageId, sent.Value.MessageId, "cli", DateTimeOffset.UtcNow, ct).ConfigureAwait(false);
                        await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct).ConfigureAwait(false);
                        replayed++;
                    }
                }
            }
            await output.WriteLineAsync($"{replayed} message(s) put back on {name}.").ConfigureAwait(false);
            return 0;
        }));
        return new Command("poison", "The messages the app gave up on: list them with their reasons, replay them once fixed.") { list, replay };
    }

    /// <summary>The reasons <c>PoisonQueue</c> recorded, by the message's id in the poison queue.</summary>
    private static async Task<Dictionary<string, string>> ReasonsAsync(TableServiceClient tables, string queue, CancellationToken ct)
    {
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        var audit = tables.GetTableClient(StorageNames.AuditTable);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {AuditTrail.PoisonPartition(queue)}");
        try
        {
            await foreach (var row in audit.QueryAsync<TableEntity>(filter, select: ["PoisonMessageId", "Reason"], cancellationToken: ct).ConfigureAwait(false))
            {
                if (row.GetString("PoisonMessageId") is { } id) reasons[id] = row.GetString("Reason") ?? "";
            }
        }
        catch (Azure.RequestFailedException e) when (e.ErrorCode == "TableNotFound")
        {
        }
        return reasons;
    }

    private static async Task<int> RunAsync(ParseResult parse, string command, StorageOptions storage,
        Func<TableServiceClient, QueueServiceClient, TextWriter, Task<int>> work)
    {
        try
        {
            var (tables, queues) = storage.Clients(parse);
            return await work(tables, queues, parse.InvocationConfiguration.Output).ConfigureAwait(false);
        }
        catch (Exception e) when (StorageOptions.Describe(e) is { } problem)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"alliance {command}: {problem}.").ConfigureAwait(false);
            return 1;
        }
    }
}
