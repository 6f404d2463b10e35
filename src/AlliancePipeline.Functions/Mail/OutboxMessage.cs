using System.Collections.Immutable;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Functions.Mail;

/// <summary>
/// One mail as queued on <c>outbox</c> (base64-encoded JSON, as the queue trigger expects):
/// <code>
/// {"schema":"alliance.mail.v1","mailId","studyId","kind","to","language","assessmentId"?,"pauseLink"?,
///  "attachments":["{studyId}/{runId}/report.html"],"content":{"subject","text","html"},"queuedAt"}
/// </code>
/// Everything <c>SendEmail</c> needs travels in the message; attachments are blob names in <c>reports</c>, read at
/// sending, because a queue message holds at most 64 KiB.
/// </summary>
public sealed record OutboxMessage
{
    /// <summary>The schema tag of this version.</summary>
    public const string SchemaV1 = "alliance.mail.v1";

    /// <summary>
    /// The largest message text accepted, in UTF-8 bytes: a queue message is at most 64 KiB, and base64 makes 48 KiB of
    /// text into 64 KiB.
    /// </summary>
    public const int MaxTextBytes = 48 * 1024;

    /// <summary>Most attachments per mail.</summary>
    public const int MaxAttachments = 5;

    /// <summary>The schema tag.</summary>
    [JsonPropertyName("schema")] public string Schema { get; init; } = SchemaV1;
    /// <summary>The deterministic mail id (<see cref="MailIds"/>).</summary>
    [JsonPropertyName("mailId")] public string MailId { get; init; } = "";
    /// <summary>The study, or <c>system</c>.</summary>
    [JsonPropertyName("studyId")] public string StudyId { get; init; } = "";
    /// <summary>One of <see cref="MailKinds"/>.</summary>
    [JsonPropertyName("kind")] public string Kind { get; init; } = "";
    /// <summary>The recipient's address.</summary>
    [JsonPropertyName("to")] public string To { get; init; } = "";
    /// <summary>The content's language (BCP 47).</summary>
    [JsonPropertyName("language")] public string Language { get; init; } = "";
    /// <summary>The assessment the mail is about, if any.</summary>
    [JsonPropertyName("assessmentId")] public string? AssessmentId { get; init; }
    /// <summary>The assessment's pause link (for <c>List-Unsubscribe</c>), if any.</summary>
    [JsonPropertyName("pauseLink")] public string? PauseLink { get; init; }
    /// <summary>Blob names in <c>reports</c> to attach.</summary>
    [JsonPropertyName("attachments")] public string[] Attachments { get; init; } = [];
    /// <summary>Subject, text and HTML.</summary>
    [JsonPropertyName("content")] public MessageContent? Content { get; init; }
    /// <summary>When it was queued.</summary>
    [JsonPropertyName("queuedAt")] public DateTimeOffset QueuedAt { get; init; }

    /// <summary>The content part of the message.</summary>
    public sealed record MessageContent
    {
        /// <summary>The subject.</summary>
        [JsonPropertyName("subject")] public string Subject { get; init; } = "";
        /// <summary>The plain-text part.</summary>
        [JsonPropertyName("text")] public string Text { get; init; } = "";
        /// <summary>The HTML part.</summary>
        [JsonPropertyName("html")] public string Html { get; init; } = "";
    }

    // Relaxed escaping: the text goes on a queue, never into a page, so '<', '>', '"' and non-ASCII letters need not be
    // written as \uXXXX (which would make an HTML part up to six times longer and a long digest too large to queue).
    private static readonly JsonSerializerOptions Json = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The message of a mail queued at <paramref name="queuedAt"/>.</summary>
    public static OutboxMessage From(OutboxMail mail, DateTimeOffset queuedAt)
    {
        ArgumentNullException.ThrowIfNull(mail);
        return new OutboxMessage
        {
            MailId = mail.MailId,
            StudyId = mail.StudyId,
            Kind = mail.Kind,
            To = mail.To,
            Language = mail.Language,
            AssessmentId = mail.AssessmentId,
            PauseLink = mail.PauseLink?.AbsoluteUri,
            Attachments = [.. mail.Attachments.IsDefault ? [] : mail.Attachments],
            Content = new MessageContent { Subject = mail.Content.Subject, Text = mail.Content.Text, Html = mail.Content.Html },
            QueuedAt = queuedAt,
        };
    }

    /// <summary>The mail this message carries.</summary>
    public OutboxMail ToMail() => new(MailId, StudyId, Kind, To, Language, new MailContent(Content!.Subject, Content.Text, Content.Html))
    {
        AssessmentId = AssessmentId,
        PauseLink = PauseLink is null ? null : new Uri(PauseLink),
        Attachments = [.. Attachments],
    };

    /// <summary>The message as queue text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses queue text; a message that is not JSON or breaks the schema gives null and the reason.</summary>
    public static OutboxMessage? TryParse(string text, out string? reason)
    {
        OutboxMessage? m;
        try
        {
            m = JsonSerializer.Deserialize<OutboxMessage>(text, Json);
        }
        catch (JsonException e)
        {
            reason = $"not a mail message (JSON error: {e.Message})";
            return null;
        }
        reason = m switch
        {
            null => "the message is JSON null",
            { Schema: not SchemaV1 } => $"schema is '{m.Schema}', expected '{SchemaV1}'",
            { Content: null } => "content is missing",
            { QueuedAt.Year: < 2000 } => "queuedAt is missing",
            _ => Problem(m.MailId, m.StudyId, m.Kind, m.To, m.Language, m.AssessmentId, m.PauseLink, m.Attachments, m.Content.Subject, m.Content.Text, m.Content.Html),
        };
        return reason is null ? m : null;
    }

    /// <summary>What is wrong with <paramref name="mail"/> as a queue message (null when nothing is).</summary>
    public static string? Problem(OutboxMail mail)
    {
        ArgumentNullException.ThrowIfNull(mail);
        var attachments = mail.Attachments.IsDefault ? ImmutableArray<string>.Empty : mail.Attachments;
        return Problem(mail.MailId, mail.StudyId, mail.Kind, mail.To, mail.Language, mail.AssessmentId, mail.PauseLink?.AbsoluteUri,
                   attachments, mail.Content?.Subject, mail.Content?.Text, mail.Content?.Html)
               ?? SizeProblem(From(mail, DateTimeOffset.UnixEpoch).ToJson());
    }

    /// <summary>Whether <paramref name="mail"/> fits a queue message (<see cref="MaxTextBytes"/>).</summary>
    public static bool Fits(OutboxMail mail) => SizeProblem(From(mail, DateTimeOffset.UnixEpoch).ToJson()) is null;

    /// <summary>Null when <paramref name="json"/> fits a queue message, else why not.</summary>
    public static string? SizeProblem(string json)
    {
        var bytes = Encoding.UTF8.GetByteCount(json);
        return bytes <= MaxTextBytes
            ? null
            : $"the mail is {bytes} bytes as a queue message, more than the {MaxTextBytes} a queue message can carry: shorten it, and attach large content by blob name";
    }

    private static string? Problem(string? mailId, string? studyId, string? kind, string? to, string? language, string? assessmentId, string? pauseLink,
        IReadOnlyList<string>? attachments, string? subject, string? text, string? html) => true switch
        {
            _ when !MailIds.IsValid(mailId) => "mailId is missing or not a valid mail id (lower-case letters, digits, '.', '_', '-')",
            _ when !StudyIds.IsValid(studyId) && studyId != StorageNames.SystemPartition => "studyId is missing or not a valid id",
            _ when kind is null || !MailKinds.All.Contains(kind) => $"kind is '{kind}', expected one of {string.Join(", ", MailKinds.All)}",
            // The address itself stays out of the reason: reasons are logged.
            _ when !StudyRules.IsEmail(to) => "to is missing or not an email address",
            _ when !StudyRules.IsLanguageTag(language) => "language is missing or not a BCP 47 tag",
            _ when assessmentId is not null && !StudyIds.IsValid(assessmentId) => "assessmentId is not a valid id",
            _ when pauseLink is not null && !(Uri.TryCreate(pauseLink, UriKind.Absolute, out var link) && (link.Scheme == Uri.UriSchemeHttps || link.Scheme == Uri.UriSchemeHttp)) =>
                "pauseLink is not an absolute http(s) address",
            _ when attachments is { Count: > MaxAttachments } => $"there are {attachments.Count} attachments, at most {MaxAttachments} are allowed",
            _ when attachments?.FirstOrDefault(a => !IsBlobName(a)) is { } bad => $"attachment '{bad}' is not a blob name in the reports container",
            _ when string.IsNullOrWhiteSpace(subject) => "content.subject is empty",
            _ when subject!.Contains('\n', StringComparison.Ordinal) || subject.Contains('\r', StringComparison.Ordinal) => "content.subject has a line break",
            _ when string.IsNullOrWhiteSpace(text) => "content.text is empty",
            _ when string.IsNullOrWhiteSpace(html) => "content.html is empty",
            _ => null,
        };

    /// <summary>A relative blob name such as <c>study/run/report.html</c>: no leading '/', no '..' or empty segments, no backslash.</summary>
    public static bool IsBlobName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 1024 && !name.Contains('\\', StringComparison.Ordinal) &&
        name.Split('/').All(segment => segment.Length > 0 && segment != "." && segment != ".." && !segment.Any(char.IsControl));
}
