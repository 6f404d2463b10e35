using System.Buffers;
using System.Text.Json;

namespace AlliancePipeline.Functions.Exports;

/// <summary>
/// A <see cref="Utf8JsonWriter"/> for a streamed export: it writes into a buffer, which goes to the destination
/// asynchronously whenever <see cref="FlushBytes"/> have gathered. Never synchronous I/O on the destination (the HTTP body
/// refuses it, and <see cref="JsonSerializer"/> flushes the writer it is given synchronously), and never much more than
/// one flush's worth held.
/// </summary>
internal sealed class JsonStream : IDisposable
{
    /// <summary>Bytes gathered before they go to the destination.</summary>
    public const int FlushBytes = 32 * 1024;

    private readonly ArrayBufferWriter<byte> _buffer = new(2 * FlushBytes);
    private readonly Stream _destination;

    public JsonStream(Stream destination, JsonWriterOptions options)
    {
        _destination = destination;
        Writer = new Utf8JsonWriter(_buffer, options);
    }

    /// <summary>The writer (into the buffer).</summary>
    public Utf8JsonWriter Writer { get; }

    /// <summary>Sends what has gathered when it is <see cref="FlushBytes"/> or more (<paramref name="all"/>: whatever there is).</summary>
    public async ValueTask SendAsync(CancellationToken ct, bool all = false)
    {
        Writer.Flush();
        if (_buffer.WrittenCount == 0 || (!all && _buffer.WrittenCount < FlushBytes)) return;
        await _destination.WriteAsync(_buffer.WrittenMemory, ct).ConfigureAwait(false);
        _buffer.ResetWrittenCount();
    }

    /// <inheritdoc />
    public void Dispose() => Writer.Dispose();
}
