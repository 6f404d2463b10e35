using System.Text;
using System.Text.Json;
using AlliancePipeline.LocalHost.Functions;
using AlliancePipeline.LocalHost.Rpc;
using AlliancePipeline.LocalHost.Storage;
using AlliancePipeline.LocalHost.Triggers;

namespace AlliancePipeline.LocalHost.Invocation;

/// <summary>
/// Writes what a successful invocation returned for its queue and blob output bindings, by name (<c>$return</c> is
/// the return value), as the host's bindings do: a queue output's queue is created if missing, a JSON array or a
/// collection is one message per element; a blob output overwrites its blob, its container created if missing.
/// </summary>
internal sealed class OutputBindingWriter(StorageClients storage, QueueWatcher watcher, TimeProvider clock, ILogger logger)
{
    private readonly HashSet<string> _warnedTypes = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Writes the outputs of <paramref name="function"/> from <paramref name="response"/>.</summary>
    public async Task WriteAsync(FunctionDescriptor function, InvocationResponse response, IReadOnlyDictionary<string, TypedData> triggerMetadata, CancellationToken cancellationToken)
    {
        foreach (var binding in function.Outputs)
        {
            var data = binding.Name == "$return"
                ? response.ReturnValue
                : response.OutputData.FirstOrDefault(o => o.Name.Equals(binding.Name, StringComparison.OrdinalIgnoreCase))?.Data;
            if (data is null || data.DataCase == TypedData.DataOneofCase.None) continue;
            var context = $"Function {function.Name}, output binding {binding.Name}";
            switch (binding.Type.ToUpperInvariant())
            {
                case "QUEUE":
                    await WriteQueueAsync(binding, data, triggerMetadata, context, cancellationToken).ConfigureAwait(false);
                    break;
                case "BLOB":
                    await WriteBlobAsync(binding, data, triggerMetadata, context, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    bool first;
                    lock (_warnedTypes) first = _warnedTypes.Add(binding.Type);
                    if (first) logger.LogWarning("{Context}: output bindings of type '{Type}' are not written by the local host.", context, binding.Type);
                    break;
            }
        }
    }

    private async Task WriteQueueAsync(BindingDescription binding, TypedData data, IReadOnlyDictionary<string, TypedData> metadata, string context, CancellationToken cancellationToken)
    {
        var name = BindingExpressions.Resolve(binding.Property("queueName") ?? throw new InvalidOperationException($"{context} has no queueName."), metadata, clock.GetUtcNow(), context).ToLowerInvariant();
        var queue = storage.Queues(binding.Property("connection")).GetQueueClient(name);
        var messages = QueueMessages(data).ToList();
        if (messages.Count == 0) return;
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var message in messages) await queue.SendMessageAsync(message, cancellationToken: cancellationToken).ConfigureAwait(false);
        watcher.Notify(name);
    }

    private async Task WriteBlobAsync(BindingDescription binding, TypedData data, IReadOnlyDictionary<string, TypedData> metadata, string context, CancellationToken cancellationToken)
    {
        var path = BindingExpressions.Resolve(binding.Property("blobPath") ?? binding.Property("path") ?? throw new InvalidOperationException($"{context} has no blobPath."), metadata, clock.GetUtcNow(), context);
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == path.Length - 1) throw new InvalidOperationException($"{context}: blob path '{path}' must be 'container/blob'.");
        var container = storage.Blobs(binding.Property("connection")).GetBlobContainerClient(path[..slash]);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await container.GetBlobClient(path[(slash + 1)..]).UploadAsync(BlobContent(data, context), overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The messages one output value stands for.</summary>
    public static IEnumerable<BinaryData> QueueMessages(TypedData data)
    {
        switch (data.DataCase)
        {
            case TypedData.DataOneofCase.String:
                yield return BinaryData.FromString(data.String);
                break;
            case TypedData.DataOneofCase.Json:
                using (var document = JsonDocument.Parse(data.Json))
                {
                    if (document.RootElement.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var element in document.RootElement.EnumerateArray())
                        {
                            yield return BinaryData.FromString(element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText());
                        }
                    }
                    else
                    {
                        yield return BinaryData.FromString(data.Json);
                    }
                }

                break;
            case TypedData.DataOneofCase.Bytes:
                yield return BinaryData.FromBytes(data.Bytes.ToByteArray());
                break;
            case TypedData.DataOneofCase.Stream:
                yield return BinaryData.FromBytes(data.Stream.ToByteArray());
                break;
            case TypedData.DataOneofCase.CollectionString:
                foreach (var s in data.CollectionString.String) yield return BinaryData.FromString(s);
                break;
            case TypedData.DataOneofCase.CollectionBytes:
                foreach (var b in data.CollectionBytes.Bytes) yield return BinaryData.FromBytes(b.ToByteArray());
                break;
            case TypedData.DataOneofCase.Int:
                yield return BinaryData.FromString(data.Int.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case TypedData.DataOneofCase.Double:
                yield return BinaryData.FromString(data.Double.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            default:
                throw new InvalidOperationException($"A queue output of kind {data.DataCase} cannot be written.");
        }
    }

    /// <summary>The content of a blob output value.</summary>
    public static BinaryData BlobContent(TypedData data, string context) => data.DataCase switch
    {
        TypedData.DataOneofCase.String => BinaryData.FromString(data.String),
        TypedData.DataOneofCase.Json => BinaryData.FromBytes(Encoding.UTF8.GetBytes(data.Json)),
        TypedData.DataOneofCase.Bytes => BinaryData.FromBytes(data.Bytes.ToByteArray()),
        TypedData.DataOneofCase.Stream => BinaryData.FromBytes(data.Stream.ToByteArray()),
        _ => throw new InvalidOperationException($"{context}: a blob output of kind {data.DataCase} cannot be written."),
    };
}
