using System.Globalization;
using System.Text;
using System.Xml.Linq;
using AlliancePipeline.Storage.Common;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AlliancePipeline.Storage.Queues;

/// <summary>
/// One queue over the Queue service REST API (Put/Get/Peek/Delete/Update Message, Get Queue Metadata). Message text is
/// UTF-8, base64-encoded on the wire.
/// </summary>
public sealed class QueueClient : IQueueClient
{
    /// <summary>The largest message the service accepts: 64 KiB of (base64) message text.</summary>
    public const int MaxEncodedMessageLength = 64 * 1024;

    private readonly HttpPipeline _pipeline;
    private readonly Uri _endpoint;

    internal QueueClient(HttpPipeline pipeline, Uri endpoint, string name)
    {
        _pipeline = pipeline;
        _endpoint = endpoint;
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Put, _endpoint, Name);
        await _pipeline.SendCheckedAsync(message, $"Create Queue '{Name}'", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Delete, _endpoint, Name);
        await _pipeline.SendToleratingAsync(message, $"Delete Queue '{Name}'", StorageClientCore.NotFound, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Response<SendReceipt>> SendMessageAsync(string messageText, TimeSpan? visibilityDelay = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageText);
        using var message = _pipeline.CreateMessage(RequestMethod.Post, _endpoint, Name, "messages");
        if (visibilityDelay is { } delay) message.Request.Uri.AppendQuery("visibilitytimeout", Seconds(delay, nameof(visibilityDelay), 0, 7 * 24 * 3600));
        if (timeToLive is { } ttl)
        {
            message.Request.Uri.AppendQuery("messagettl", ttl == Timeout.InfiniteTimeSpan ? "-1" : Seconds(ttl, nameof(timeToLive), 1, int.MaxValue));
        }

        SetMessageBody(message, messageText);
        var response = await _pipeline.SendCheckedAsync(message, $"Put Message on '{Name}'", cancellationToken).ConfigureAwait(false);
        var m = Messages(response).Single();
        return Response.FromValue(
            new SendReceipt(
                (string)m.Element("MessageId")!,
                (string)m.Element("PopReceipt")!,
                StorageClientCore.ParseDate((string?)m.Element("InsertionTime")),
                StorageClientCore.ParseDate((string?)m.Element("ExpirationTime")),
                StorageClientCore.ParseDate((string?)m.Element("TimeNextVisible"))),
            response);
    }

    /// <inheritdoc />
    public async Task<Response<IReadOnlyList<QueueMessage>>> ReceiveMessagesAsync(int maxMessages = 1, TimeSpan? visibilityTimeout = null, CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Get, _endpoint, Name, "messages");
        message.Request.Uri.AppendQuery("numofmessages", Count(maxMessages));
        if (visibilityTimeout is { } timeout) message.Request.Uri.AppendQuery("visibilitytimeout", Seconds(timeout, nameof(visibilityTimeout), 1, 7 * 24 * 3600));
        var response = await _pipeline.SendCheckedAsync(message, $"Get Messages from '{Name}'", cancellationToken).ConfigureAwait(false);
        IReadOnlyList<QueueMessage> messages = Messages(response)
            .Select(m => new QueueMessage(
                (string)m.Element("MessageId")!,
                (string)m.Element("PopReceipt")!,
                Decode((string?)m.Element("MessageText")),
                long.Parse((string)m.Element("DequeueCount")!, CultureInfo.InvariantCulture),
                StorageClientCore.ParseDate((string?)m.Element("InsertionTime")),
                StorageClientCore.ParseDate((string?)m.Element("ExpirationTime")),
                StorageClientCore.ParseDate((string?)m.Element("TimeNextVisible"))))
            .ToList();
        return Response.FromValue(messages, response);
    }

    /// <inheritdoc />
    public async Task<Response<IReadOnlyList<PeekedMessage>>> PeekMessagesAsync(int maxMessages = 1, CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Get, _endpoint, Name, "messages");
        message.Request.Uri.AppendQuery("peekonly", "true");
        message.Request.Uri.AppendQuery("numofmessages", Count(maxMessages));
        var response = await _pipeline.SendCheckedAsync(message, $"Peek Messages on '{Name}'", cancellationToken).ConfigureAwait(false);
        IReadOnlyList<PeekedMessage> messages = Messages(response)
            .Select(m => new PeekedMessage(
                (string)m.Element("MessageId")!,
                Decode((string?)m.Element("MessageText")),
                long.Parse((string)m.Element("DequeueCount")!, CultureInfo.InvariantCulture),
                StorageClientCore.ParseDate((string?)m.Element("InsertionTime")),
                StorageClientCore.ParseDate((string?)m.Element("ExpirationTime"))))
            .ToList();
        return Response.FromValue(messages, response);
    }

    /// <inheritdoc />
    public async Task<Response> DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(popReceipt);
        using var message = _pipeline.CreateMessage(RequestMethod.Delete, _endpoint, Name, "messages", messageId);
        message.Request.Uri.AppendQuery("popreceipt", popReceipt);
        return await _pipeline.SendCheckedAsync(message, $"Delete Message '{messageId}' from '{Name}'", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Response<UpdateReceipt>> UpdateMessageAsync(string messageId, string popReceipt, TimeSpan visibilityTimeout, string? messageText = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(popReceipt);
        using var message = _pipeline.CreateMessage(RequestMethod.Put, _endpoint, Name, "messages", messageId);
        message.Request.Uri.AppendQuery("popreceipt", popReceipt);
        message.Request.Uri.AppendQuery("visibilitytimeout", Seconds(visibilityTimeout, nameof(visibilityTimeout), 0, 7 * 24 * 3600));
        if (messageText is not null) SetMessageBody(message, messageText);
        var response = await _pipeline.SendCheckedAsync(message, $"Update Message '{messageId}' on '{Name}'", cancellationToken).ConfigureAwait(false);
        response.Headers.TryGetValue("x-ms-popreceipt", out var newReceipt);
        response.Headers.TryGetValue("x-ms-time-next-visible", out var nextVisible);
        return Response.FromValue(new UpdateReceipt(newReceipt ?? "", StorageClientCore.ParseDate(nextVisible)), response);
    }

    /// <inheritdoc />
    public async Task<Response<int>> GetApproximateMessageCountAsync(CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Get, _endpoint, Name);
        message.Request.Uri.AppendQuery("comp", "metadata");
        var response = await _pipeline.SendCheckedAsync(message, $"Get Queue Metadata of '{Name}'", cancellationToken).ConfigureAwait(false);
        var count = response.Headers.TryGetValue("x-ms-approximate-messages-count", out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : 0;
        return Response.FromValue(count, response);
    }

    private static void SetMessageBody(HttpMessage message, string text)
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
        if (encoded.Length > MaxEncodedMessageLength)
        {
            throw new ArgumentException($"The message is too large: {encoded.Length} base64 characters, the Queue service takes at most {MaxEncodedMessageLength} (about 48 KiB of UTF-8 text).", nameof(text));
        }

        var body = new XElement("QueueMessage", new XElement("MessageText", encoded)).ToString(SaveOptions.DisableFormatting);
        message.Request.Headers.SetValue("Content-Type", "application/xml; charset=utf-8");
        message.Request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(body));
    }

    private static IEnumerable<XElement> Messages(Response response)
    {
        var content = response.Content.ToString();
        return string.IsNullOrWhiteSpace(content) ? [] : XDocument.Parse(content).Root!.Elements("QueueMessage");
    }

    private static string Decode(string? base64) => base64 is null ? "" : Encoding.UTF8.GetString(Convert.FromBase64String(base64));

    private static string Count(int maxMessages) => maxMessages is >= 1 and <= 32
        ? maxMessages.ToString(CultureInfo.InvariantCulture)
        : throw new ArgumentOutOfRangeException(nameof(maxMessages), maxMessages, "The Queue service returns 1 to 32 messages per request.");

    private static string Seconds(TimeSpan value, string name, long min, long max)
    {
        var seconds = (long)Math.Ceiling(value.TotalSeconds);
        return seconds >= min && seconds <= max
            ? seconds.ToString(CultureInfo.InvariantCulture)
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max} seconds.");
    }
}
