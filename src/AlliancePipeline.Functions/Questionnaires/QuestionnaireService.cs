using System.Globalization;
using System.Net;
using System.Text.Json;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Scoring;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Audit;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Scoring;
using AlliancePipeline.Functions.Studies;
using Azure;
using Azure.Storage.Queues;

namespace AlliancePipeline.Functions.Questionnaires;

/// <summary>
/// The questionnaire link <c>/api/q/{token}</c>. <c>GET</c> serves the form in the rater's language (<c>?lang=</c>
/// overrides). <c>POST</c> checks the link and the answers, puts the raw submission on <c>responses</c>, marks the
/// assessment <see cref="AssessmentStatus.Submitted"/> and answers: a browser's form post gets a 303 to the thank-you
/// page (Post/Redirect/Get: a refresh does not post again), a tool's JSON post gets 202 with JSON. Refused links
/// (404 unknown or altered, 410 expired or revoked, 409 already answered) get a page, or problem details for JSON
/// clients, and never reach the queue. Nothing is acknowledged before the queue has accepted the message; when it cannot
/// (storage unreachable), the answer is 503 with a Retry-After, never a 500. A body over <see cref="MaxBodyBytes"/> gets
/// 413 before any work.
/// </summary>
public sealed class QuestionnaireService(ILinkTokens tokens, StudyTables studies, StudyStore store, QueueServiceClient queues, AuditLog audit, TimeProvider clock, ILogger<QuestionnaireService> log)
{
    /// <summary>The largest body taken: twelve answers fit in well under a kilobyte.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    /// <summary>How long a submission's message stays hidden until its post has claimed the assessment.</summary>
    public static readonly TimeSpan ParkedFor = TimeSpan.FromSeconds(30);

    /// <summary>Serves the form, the thank-you page (<c>?done=1</c> once answered), or a refused link's page.</summary>
    public Task<IResult> GetAsync(string token, HttpRequest request, CancellationToken ct) =>
        AnswerUnlessStorageFailsAsync(request, "A questionnaire page could not be served", () => GetCoreAsync(token, request, ct));

    /// <summary>Checks and enqueues a submission (form or JSON).</summary>
    public Task<IResult> PostAsync(string token, HttpRequest request, CancellationToken ct) =>
        AnswerUnlessStorageFailsAsync(request, "A submission could not be taken", () => PostCoreAsync(token, request, ct));

    /// <summary>The answer of <paramref name="work"/>, or a 503 when storage could not serve it (nothing was recorded).</summary>
    private async Task<IResult> AnswerUnlessStorageFailsAsync(HttpRequest request, string what, Func<Task<IResult>> work)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (Exception e) when (StorageUnavailable.Is(e))
        {
            log.LogWarning("{What} (storage unavailable: {Reason}); answered 503.", what, StorageUnavailable.Describe(e));
            return StorageUnavailable.Result(request, RequestedLanguage(request) ?? AcceptLanguage(request));
        }
    }

    private async Task<IResult> GetCoreAsync(string token, HttpRequest request, CancellationToken ct)
    {
        var opened = await OpenAsync(token, request, ct).ConfigureAwait(false);
        if (opened.Refusal is { } refusal) return refusal;
        var (_, assessment, definition) = opened.Target!.Value;
        var language = RequestedLanguage(request) ?? assessment.Language;
        if (assessment.IsAnswered)
        {
            return request.Query.ContainsKey("done")
                ? Page(200, MessagePage.ThankYou, language)
                : Refuse(request, 409, MessagePage.AlreadyAnswered, language, "Already answered", "Answers for this questionnaire were already received; the first answers stand.");
        }
        var view = new QuestionnaireView(InstrumentForm.Create(definition, language), assessment.DyadId, assessment.Meeting,
            new Dictionary<string, int>(), new Dictionary<string, string>());
        return Html(200, QuestionnairePage.RenderForm(view));
    }

    private async Task<IResult> PostCoreAsync(string token, HttpRequest request, CancellationToken ct)
    {
        var body = await RequestBody.ReadTextAsync(request, MaxBodyBytes, ct).ConfigureAwait(false);
        if (body is null)
            return HttpResults.Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"A submission is at most {MaxBodyBytes} bytes.");
        var opened = await OpenAsync(token, request, ct).ConfigureAwait(false);
        if (opened.Refusal is { } refusal) return refusal;
        var (study, assessment, definition) = opened.Target!.Value;
        var language = RequestedLanguage(request) ?? assessment.Language;
        if (assessment.IsAnswered)
            return Refuse(request, 409, MessagePage.AlreadyAnswered, language, "Already answered", "Answers for this questionnaire were already received; the first answers stand.");

        var json = IsJson(request.ContentType);
        var form = InstrumentForm.Create(definition, language);
        IReadOnlyList<KeyValuePair<string, string?>> fields;
        if (json)
        {
            fields = JsonFields(body, definition, out var bodyError)!;
            if (bodyError is not null) return HttpResults.Problem(400, "Invalid answers", bodyError);
        }
        else
        {
            fields = FormFields(body);
        }

        var checkedAnswers = Check(definition, fields, form.Language, out var errors, out var pageErrors);
        if (checkedAnswers is null)
        {
            if (json) return InvalidAnswersProblem(errors);
            var kept = fields
                .Where(f => f.Key.StartsWith(InstrumentForm.FieldPrefix, StringComparison.Ordinal) && int.TryParse(f.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
                .GroupBy(f => f.Key[InstrumentForm.FieldPrefix.Length..], StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => int.Parse(g.First().Value!, CultureInfo.InvariantCulture), StringComparer.Ordinal);
            var view = new QuestionnaireView(form, assessment.DyadId, assessment.Meeting, kept, pageErrors);
            return Html(400, QuestionnairePage.RenderForm(view));
        }

        var submittedAt = clock.GetUtcNow();
        var message = new SubmissionMessage
        {
            StudyId = study.Id,
            AssessmentId = assessment.Id,
            LinkVersion = assessment.LinkVersion,
            Items = checkedAnswers,
            SubmittedAt = submittedAt,
            SubmissionId = Guid.NewGuid().ToString("N"),
        };
        // Park, claim, release. The message goes on the queue hidden; the assessment is then claimed for this submission
        // under the ETag it was read with; only the winner releases its message and is thanked. A post that loses the
        // race (a double click, eight posts at once) takes its message back and gets the polite 409. Nothing
        // acknowledged is lost: the thank-you comes after both writes. A run that stops between them leaves a parked
        // message that surfaces by itself and is scored if no other submission claimed the assessment meanwhile.
        var queue = queues.GetQueueClient(StorageNames.ResponsesQueue);
        var parked = (await queue.SendMessageAsync(message.ToJson(), visibilityTimeout: ParkedFor, cancellationToken: ct).ConfigureAwait(false)).Value;
        if (!await studies.TryMarkSubmittedAsync(study.Id, assessment.Id, opened.ETag, submittedAt, message.SubmissionId, ct).ConfigureAwait(false))
        {
            try
            {
                await queue.DeleteMessageAsync(parked.MessageId, parked.PopReceipt, ct).ConfigureAwait(false);
            }
            catch (RequestFailedException)
            {
                // It surfaces later and is dropped by ScoreResponse: its submission id is not the one claimed.
            }
            return Refuse(request, 409, MessagePage.AlreadyAnswered, language, "Already answered", "Answers for this questionnaire were already received; the first answers stand.");
        }
        // The release and the audit row are independent: both go at once (one round trip of waiting, not two), and the
        // thank-you still comes after both.
        await Task.WhenAll(
            ReleaseAsync(queue, parked, assessment.Id, ct),
            audit.WriteAsync(study.Id, "rater-link", "submission.accepted", assessment.Id, $"link version {assessment.LinkVersion}; queued for scoring", ct)).ConfigureAwait(false);

        if (json)
            return TypedResults.Accepted((string?)null, new SubmissionAccepted("accepted", assessment.Id));
        return HttpResults.SeeOther($"?done=1&lang={Uri.EscapeDataString(form.Language)}");
    }

    /// <summary>Makes a parked message visible now; if that fails it surfaces by itself when its parking ends.</summary>
    private async Task ReleaseAsync(QueueClient queue, Azure.Storage.Queues.Models.SendReceipt parked, string assessmentId, CancellationToken ct)
    {
        try
        {
            await queue.UpdateMessageAsync(parked.MessageId, parked.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (RequestFailedException e)
        {
            // Claimed and queued: it surfaces when its parking ends; scoring is only later.
            log.LogWarning("Submission {AssessmentId} stays parked until {Seconds} s have passed ({Status}).", assessmentId, ParkedFor.TotalSeconds, e.Status);
        }
    }

    /// <summary>
    /// The answers in item order when every item has a valid answer; otherwise null and a message per item. The form
    /// asks for every item: the <c>Responses</c> table keeps all twelve answers as given.
    /// </summary>
    /// <remarks>
    /// <paramref name="errors"/> are the validator's sentences, which name the statement (for JSON clients);
    /// <paramref name="pageErrors"/> are what the page shows beside each item: the form offers only the scale's radio
    /// buttons, so any refused or missing answer reads "please choose an answer".
    /// </remarks>
    private static int[]? Check(InstrumentDefinition definition, IReadOnlyList<KeyValuePair<string, string?>> fields, string language,
        out Dictionary<string, string> errors, out Dictionary<string, string> pageErrors)
    {
        var result = ResponseFormValidator.Validate(definition, fields, language);
        errors = result.IsValid
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : result.Errors.GroupBy(e => e.ItemId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Message, StringComparer.Ordinal);
        var byItem = result.IsValid ? result.Value.ByItem : null;
        foreach (var item in definition.Items)
        {
            if (!errors.ContainsKey(item.Id) && (byItem is null ? !Answered(fields, item.Id) : byItem.GetValueOrDefault(item.Id) is null))
                errors[item.Id] = ScoringMessages.Missing(item.Number, language);
        }
        var unanswered = PageText.For(language).Unanswered;
        pageErrors = errors.ToDictionary(e => e.Key, e => definition.Items.Any(i => i.Id == e.Key) ? unanswered : e.Value, StringComparer.Ordinal);
        if (errors.Count > 0 || byItem is null) return null;
        return [.. definition.Items.OrderBy(i => i.Number).Select(i => byItem[i.Id]!.Value)];
    }

    private static bool Answered(IReadOnlyList<KeyValuePair<string, string?>> fields, string itemId)
    {
        var name = InstrumentForm.FieldNameFor(itemId);
        return fields.Any(f => f.Key == name && !string.IsNullOrWhiteSpace(f.Value));
    }

    private async Task<Opened> OpenAsync(string token, HttpRequest request, CancellationToken ct)
    {
        var language = RequestedLanguage(request) ?? AcceptLanguage(request);
        var claims = tokens.Validate(token, clock.GetUtcNow(), out var problem);
        if (claims is null)
        {
            return problem == LinkProblem.Expired
                ? new(Refuse(request, 410, MessagePage.Expired, language, "Link expired", "The link has expired."))
                : new(Refuse(request, 404, MessagePage.NotFound, language, "Link not valid", "The link is not valid."));
        }
        var context = await store.FindRecentContextAsync(claims.StudyId, ct).ConfigureAwait(false);
        var found = await studies.FindAssessmentAsync(claims.StudyId, claims.AssessmentId, ct).ConfigureAwait(false);
        if (context is null || found is null || context.InstrumentFor(found.Value.Assessment.RaterRole) is not { } definition)
            return new(Refuse(request, 404, MessagePage.NotFound, language, "Link not valid", "The questionnaire this link names does not exist."));
        var study = context.Study;
        var (assessment, etag) = found.Value;
        if (!assessment.AcceptsLink(claims.LinkVersion))
            return new(Refuse(request, 410, MessagePage.Revoked, RequestedLanguage(request) ?? assessment.Language, "Link revoked", "This link has been replaced or withdrawn."));
        return new((study, assessment, definition), etag);
    }

    private static IResult Refuse(HttpRequest request, int status, MessagePage page, string? language, string title, string detail) =>
        WantsJson(request) ? HttpResults.Problem(status, title, detail) : Page(status, page, language);

    private static IResult Page(int status, MessagePage page, string? language) => Html(status, QuestionnairePage.RenderMessage(page, language));

    private static IResult Html(int status, string html) => HttpResults.Page(status, html);

    private static IResult InvalidAnswersProblem(IReadOnlyDictionary<string, string> errors) =>
        TypedResults.ValidationProblem(
            errors.ToDictionary(e => InstrumentForm.FieldNameFor(e.Key), e => new[] { e.Value }),
            detail: string.Join(" ", errors.Values),
            title: "Invalid answers");

    private static bool IsJson(string? mediaType) =>
        mediaType is not null && (mediaType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.Contains("+json", StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether the client is a tool that reads JSON rather than a browser (JSON body, or Accept without HTML).</summary>
    public static bool WantsJson(HttpRequest request)
    {
        if (IsJson(request.ContentType)) return true;
        var accept = request.Headers.Accept.ToString();
        return accept.Length > 0 && accept.Contains("json", StringComparison.OrdinalIgnoreCase) && !accept.Contains("text/html", StringComparison.OrdinalIgnoreCase);
    }

    private static string? RequestedLanguage(HttpRequest request) =>
        request.Query.TryGetValue("lang", out var lang) && !string.IsNullOrWhiteSpace(lang) ? lang.ToString().Trim() : null;

    private static string? AcceptLanguage(HttpRequest request) =>
        request.Headers.AcceptLanguage.ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Split(';')[0];

    /// <summary>Fields of an <c>application/x-www-form-urlencoded</c> body, in order; a name may repeat.</summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> FormFields(string? body)
    {
        var fields = new List<KeyValuePair<string, string?>>();
        foreach (var pair in (body ?? "").Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            fields.Add(new(WebUtility.UrlDecode(eq < 0 ? pair : pair[..eq]), WebUtility.UrlDecode(eq < 0 ? "" : pair[(eq + 1)..])));
        }
        return fields;
    }

    /// <summary>
    /// A JSON body <c>{"items":[…]}</c> (answers in item order, one per item of the instrument) as form fields, or null
    /// and what is wrong with it.
    /// </summary>
    private static IReadOnlyList<KeyValuePair<string, string?>>? JsonFields(string? body, InstrumentDefinition definition, out string? error)
    {
        error = null;
        try
        {
            using var doc = JsonDocument.Parse(body ?? "");
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("items", out var array) || array.ValueKind != JsonValueKind.Array)
            {
                error = $"The JSON body needs an \"items\" array of {definition.Items.Length} integers, in item order.";
                return null;
            }
            var values = array.EnumerateArray().ToList();
            if (values.Count != definition.Items.Length)
            {
                error = $"items has {values.Count} answers, expected {definition.Items.Length}.";
                return null;
            }
            var items = definition.Items.OrderBy(i => i.Number).ToList();
            var fields = new List<KeyValuePair<string, string?>>();
            for (var i = 0; i < values.Count; i++)
            {
                if (values[i].ValueKind != JsonValueKind.Number || !values[i].TryGetInt32(out var value))
                {
                    error = $"items[{i}] is not an integer.";
                    return null;
                }
                fields.Add(new(InstrumentForm.FieldNameFor(items[i].Id), value.ToString(CultureInfo.InvariantCulture)));
            }
            return fields;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            error = "The body is not valid JSON.";
            return null;
        }
    }

    private readonly record struct Opened((Study Study, Assessment Assessment, InstrumentDefinition Definition)? Target, ETag ETag, IResult? Refusal)
    {
        public Opened(IResult refusal) : this(null, default, refusal) { }

        public Opened((Study, Assessment, InstrumentDefinition) target, ETag etag) : this(target, etag, null) { }
    }
}

/// <summary>The JSON answer to an accepted submission.</summary>
/// <param name="Status">Always <c>accepted</c>.</param>
/// <param name="AssessmentId">The assessment answered.</param>
public sealed record SubmissionAccepted(
    [property: System.Text.Json.Serialization.JsonPropertyName("status")] string Status,
    [property: System.Text.Json.Serialization.JsonPropertyName("assessmentId")] string AssessmentId);
