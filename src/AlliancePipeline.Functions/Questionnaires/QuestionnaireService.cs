using System.Globalization;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Scoring;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Audit;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Scoring;
using AlliancePipeline.Functions.Studies;
using Azure;
using Azure.Storage.Queues;

namespace AlliancePipeline.Functions.Questionnaires;

/// <summary>What a rater sent: a form's fields, or a tool's JSON answers.</summary>
public abstract record Submission
{
    private Submission()
    {
    }

    /// <summary>A form post: its fields in order; a name may repeat.</summary>
    /// <param name="Fields">The fields.</param>
    public sealed record Form(IReadOnlyList<KeyValuePair<string, string?>> Fields) : Submission;

    /// <summary>A JSON body <c>{"items":[…]}</c>.</summary>
    /// <param name="Items">The answers in item order (null: not a whole number); null when the body has no <c>items</c> array.</param>
    public sealed record Answers(IReadOnlyList<int?>? Items) : Submission;

    /// <summary>A body that was meant to be JSON and is not.</summary>
    public sealed record NotJson : Submission;
}

/// <summary>What opening a questionnaire link came to.</summary>
public abstract record QuestionnaireOpening
{
    private QuestionnaireOpening()
    {
    }

    /// <summary>The form to fill in.</summary>
    /// <param name="View">The form, in the rater's language.</param>
    public sealed record Opened(QuestionnaireView View) : QuestionnaireOpening;

    /// <summary>Answers were received for it already.</summary>
    /// <param name="Language">The language of the rater's pages.</param>
    public sealed record Answered(string Language) : QuestionnaireOpening;

    /// <summary>The link opens nothing.</summary>
    /// <param name="Reason">Why.</param>
    /// <param name="Language">The language of the rater's pages, when the assessment is known.</param>
    public sealed record Refused(LinkRefusal Reason, string? Language) : QuestionnaireOpening;
}

/// <summary>What a submission came to.</summary>
public abstract record SubmissionOutcome
{
    private SubmissionOutcome()
    {
    }

    /// <summary>Queued for scoring; the rater is thanked.</summary>
    /// <param name="AssessmentId">The assessment answered.</param>
    /// <param name="Language">The language of the thank-you page.</param>
    public sealed record Accepted(string AssessmentId, string Language) : SubmissionOutcome;

    /// <summary>Answers were received for it already (before, or by a post that won the race); the first answers stand.</summary>
    /// <param name="Language">The language of the rater's pages.</param>
    public sealed record AlreadyAnswered(string Language) : SubmissionOutcome;

    /// <summary>The link opens nothing.</summary>
    /// <param name="Reason">Why.</param>
    /// <param name="Language">The language of the rater's pages, when the assessment is known.</param>
    public sealed record Refused(LinkRefusal Reason, string? Language) : SubmissionOutcome;

    /// <summary>A JSON body that cannot be read as answers.</summary>
    /// <param name="Detail">What is wrong with it.</param>
    public sealed record Unreadable(string Detail) : SubmissionOutcome;

    /// <summary>Answers missing or not allowed.</summary>
    /// <param name="Errors">The validator's sentence per item id, naming the statement (for tools).</param>
    /// <param name="View">The form again, with the answers kept and a message beside each item (for browsers).</param>
    public sealed record Invalid(IReadOnlyDictionary<string, string> Errors, QuestionnaireView View) : SubmissionOutcome;
}

/// <summary>
/// The questionnaire behind the link <c>/api/q/{token}</c>. Opening it gives the form in the rater's language (or the
/// language asked for). A submission is checked (the link: unknown or altered, expired, revoked, already answered; then
/// the answers), put on <c>responses</c> as it was given, and the assessment marked
/// <see cref="AssessmentStatus.Submitted"/>; refused links never reach the queue. Nothing is accepted before the queue
/// has taken the message; storage that cannot take it throws, and the rater gets 503 (the edge).
/// </summary>
public sealed class QuestionnaireService(ILinkTokens tokens, StudyTables studies, StudyStore store, QueueServiceClient queues, AuditLog audit, TimeProvider clock, ILogger<QuestionnaireService> log)
{
    /// <summary>The largest body taken: twelve answers fit in well under a kilobyte.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    /// <summary>How long a submission's message stays hidden until its post has claimed the assessment.</summary>
    public static readonly TimeSpan ParkedFor = TimeSpan.FromSeconds(30);

    /// <summary>The form of <paramref name="token"/>'s questionnaire, in <paramref name="language"/> when asked, else the rater's.</summary>
    public async Task<QuestionnaireOpening> OpenAsync(string token, string? language, CancellationToken ct)
    {
        var opened = await FindAsync(token, language, ct).ConfigureAwait(false);
        if (opened.Refusal is { } refusal) return new QuestionnaireOpening.Refused(refusal, opened.Language);
        var (_, assessment, definition) = opened.Target!.Value;
        var pages = language ?? assessment.Language;
        if (assessment.IsAnswered) return new QuestionnaireOpening.Answered(pages);
        return new QuestionnaireOpening.Opened(new QuestionnaireView(InstrumentForm.Create(definition, pages), assessment.DyadId, assessment.Meeting,
            new Dictionary<string, int>(), new Dictionary<string, string>()));
    }

    /// <summary>Checks and enqueues a submission to <paramref name="token"/>'s questionnaire.</summary>
    public async Task<SubmissionOutcome> SubmitAsync(string token, Submission submission, string? language, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var opened = await FindAsync(token, language, ct).ConfigureAwait(false);
        if (opened.Refusal is { } refusal) return new SubmissionOutcome.Refused(refusal, opened.Language);
        var (study, assessment, definition) = opened.Target!.Value;
        var pages = language ?? assessment.Language;
        if (assessment.IsAnswered) return new SubmissionOutcome.AlreadyAnswered(pages);

        var form = InstrumentForm.Create(definition, pages);
        string? bodyError = null;
        var fields = submission switch
        {
            Submission.Form f => f.Fields,
            Submission.Answers a => JsonFields(a.Items, definition, out bodyError),
            _ => null,
        };
        if (fields is null) return new SubmissionOutcome.Unreadable(bodyError ?? "The body is not valid JSON.");

        var checkedAnswers = Check(definition, fields, form.Language, out var errors, out var pageErrors);
        if (checkedAnswers is null)
        {
            var kept = fields
                .Where(f => f.Key.StartsWith(InstrumentForm.FieldPrefix, StringComparison.Ordinal) && int.TryParse(f.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
                .GroupBy(f => f.Key[InstrumentForm.FieldPrefix.Length..], StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => int.Parse(g.First().Value!, CultureInfo.InvariantCulture), StringComparer.Ordinal);
            return new SubmissionOutcome.Invalid(errors, new QuestionnaireView(form, assessment.DyadId, assessment.Meeting, kept, pageErrors));
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
            return new SubmissionOutcome.AlreadyAnswered(pages);
        }
        // The release and the audit row are independent: both go at once (one round trip of waiting, not two), and the
        // thank-you still comes after both.
        await Task.WhenAll(
            ReleaseAsync(queue, parked, assessment.Id, ct),
            audit.WriteAsync(study.Id, opened.Provenance, "submission.accepted", assessment.Id, $"link version {assessment.LinkVersion}; queued for scoring", ct)).ConfigureAwait(false);
        return new SubmissionOutcome.Accepted(assessment.Id, form.Language);
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

    /// <summary>The study, assessment and instrument <paramref name="token"/> names, or why it opens nothing.</summary>
    private async Task<Opened> FindAsync(string token, string? language, CancellationToken ct)
    {
        var claims = tokens.Validate(token, clock.GetUtcNow(), out var problem);
        if (claims is null) return new(problem == LinkProblem.Expired ? LinkRefusal.Expired : LinkRefusal.NotValid, null);
        var context = await store.FindRecentContextAsync(claims.StudyId, ct).ConfigureAwait(false);
        var row = await studies.FindAssessmentEntityAsync(claims.StudyId, claims.AssessmentId, ct).ConfigureAwait(false);
        if (context is null || row is null || context.InstrumentFor(row.RaterRole) is not { } definition)
            return new(LinkRefusal.Unknown, null);
        var assessment = row.ToAssessment();
        if (!assessment.AcceptsLink(claims.LinkVersion)) return new(LinkRefusal.Revoked, language ?? assessment.Language);
        return new((context.Study, assessment, definition), row.ETag, row.ProvenanceOf(claims.LinkVersion));
    }

    /// <summary>
    /// A JSON body's answers (in item order, one per item of the instrument) as form fields, or null and what is wrong
    /// with them.
    /// </summary>
    private static IReadOnlyList<KeyValuePair<string, string?>>? JsonFields(IReadOnlyList<int?>? items, InstrumentDefinition definition, out string? error)
    {
        error = null;
        if (items is null)
        {
            error = $"The JSON body needs an \"items\" array of {definition.Items.Length} integers, in item order.";
            return null;
        }
        if (items.Count != definition.Items.Length)
        {
            error = $"items has {items.Count} answers, expected {definition.Items.Length}.";
            return null;
        }
        var ordered = definition.Items.OrderBy(i => i.Number).ToList();
        var fields = new List<KeyValuePair<string, string?>>();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not { } value)
            {
                error = $"items[{i}] is not an integer.";
                return null;
            }
            fields.Add(new(InstrumentForm.FieldNameFor(ordered[i].Id), value.ToString(CultureInfo.InvariantCulture)));
        }
        return fields;
    }

    /// <summary>
    /// What a link opens, or why it opens nothing; <see cref="Provenance"/> is the link's (<c>rater-link</c>, or
    /// <c>hand-over</c> for a link a coordinator was handed), the actor of its submission's audit row.
    /// </summary>
    private readonly record struct Opened((Study Study, Assessment Assessment, InstrumentDefinition Definition)? Target, ETag ETag, LinkRefusal? Refusal, string? Language, string Provenance)
    {
        public Opened(LinkRefusal refusal, string? language) : this(null, default, refusal, language, ResponseProvenance.RaterLink) { }

        public Opened((Study, Assessment, InstrumentDefinition) target, ETag etag, string provenance) : this(target, etag, null, null, provenance) { }
    }
}

/// <summary>The JSON answer to an accepted submission.</summary>
/// <param name="Status">Always <c>accepted</c>.</param>
/// <param name="AssessmentId">The assessment answered.</param>
public sealed record SubmissionAccepted(
    [property: System.Text.Json.Serialization.JsonPropertyName("status")] string Status,
    [property: System.Text.Json.Serialization.JsonPropertyName("assessmentId")] string AssessmentId);
