using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Mail;
using AlliancePipeline.Functions.Questionnaires;
using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Invitations;

/// <summary>Where an assessment's reminders stand.</summary>
public enum PauseState
{
    /// <summary>Reminders go (pausing is offered).</summary>
    Active,
    /// <summary>Paused through the link.</summary>
    Paused,
    /// <summary>Answered or withdrawn: none go, nothing to pause.</summary>
    Closed,
}

/// <summary>The assessment a pause link names, as read.</summary>
/// <param name="AssessmentId">The assessment.</param>
/// <param name="State">Where its reminders stand.</param>
/// <param name="DyadId">Its dyad (pseudonymous code), for the page.</param>
/// <param name="Meeting">Its meeting, for the page.</param>
/// <param name="Language">The rater's language.</param>
/// <param name="RaterRole">Its rater role, for the page (which form is paused).</param>
public sealed record PauseTarget(string AssessmentId, PauseState State, string DyadId, int Meeting, string Language, string RaterRole = "")
{
    /// <summary>Whether the token is the pause link of the assessment's current link (else it was replaced: 410).</summary>
    public bool IsCurrent { get; init; } = true;

    internal PauseClaims Claims { get; init; } = null!;

    internal ETag ETag { get; init; }

    internal static PauseTarget Of(PauseClaims claims, AssessmentEntity entity) =>
        new(entity.RowKey, entity.ToAssessment().Status != AssessmentStatus.Pending ? PauseState.Closed : entity.RemindersPaused ? PauseState.Paused : PauseState.Active,
            entity.DyadId, entity.Meeting, entity.Language, entity.RaterRole)
        { Claims = claims, ETag = entity.ETag, IsCurrent = claims.IsCurrent(entity.LinkVersion) };
}

/// <summary>
/// The pause link <c>/api/reminders/pause/{token}</c> (<see cref="PauseLinks"/>): finds the assessment it names, and
/// pauses its reminders (the button, or a mail client's one-click <c>List-Unsubscribe-Post</c>), when the token is of
/// the assessment's current link version (an older one pauses nothing: its link was replaced): <c>RemindersPaused</c>
/// is set under the assessment's ETag and <c>Audit</c> (<c>reminders.paused</c>, <c>RemindersPaused</c> false → true) written once; pausing again changes
/// nothing, and answered or withdrawn assessments have nothing to pause. Storage that cannot serve throws (the edge
/// answers 503; nothing was changed).
/// </summary>
public sealed class ReminderPauseService(PauseLinks links, TableServiceClient tables, TimeProvider clock, ILogger<ReminderPauseService> log)
{
    private TableClient Assessments => tables.GetTableClient(StorageNames.AssessmentsTable);

    /// <summary>What <paramref name="token"/> names, or why it opens nothing (null when it does).</summary>
    public PauseClaims? Check(string token, out LinkRefusal? refusal)
    {
        var claims = links.Validate(token, clock.GetUtcNow(), out var problem);
        refusal = claims is not null ? null : problem == LinkProblem.Expired ? LinkRefusal.Expired : LinkRefusal.NotValid;
        return claims;
    }

    /// <summary>The assessment <paramref name="claims"/> names, or null when there is none.</summary>
    public async Task<PauseTarget?> FindAsync(PauseClaims claims, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var found = await Assessments.GetEntityIfExistsAsync<AssessmentEntity>(claims.StudyId, claims.AssessmentId, cancellationToken: ct).ConfigureAwait(false);
        return found.HasValue ? PauseTarget.Of(claims, found.Value!) : null;
    }

    /// <summary>Pauses the reminders of <paramref name="target"/> (as read by <see cref="FindAsync"/>): where they stand after, or null when the assessment is gone.</summary>
    public async Task<PauseTarget?> PauseAsync(PauseTarget target, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        for (var attempt = 0; ; attempt++)
        {
            if (target.State != PauseState.Active || !target.IsCurrent) return target;
            var claims = target.Claims;
            var update = new TableEntity(claims.StudyId, claims.AssessmentId) { [nameof(AssessmentEntity.RemindersPaused)] = true };
            try
            {
                await Assessments.UpdateEntityAsync(update, target.ETag, TableUpdateMode.Merge, ct).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 5)
            {
                // Written meanwhile (answered, paused, reminded): read again and decide again.
                if (await FindAsync(claims, ct).ConfigureAwait(false) is not { } again) return null;
                target = again;
                continue;
            }
            var change = AuditChange.Of(AuditChange.RecordOf(StorageNames.AssessmentsTable, claims.AssessmentId),
                new Dictionary<string, object?> { [nameof(AssessmentEntity.RemindersPaused)] = false }, AuditChange.Fields(update));
            await AuditTrail.WriteAsync(tables.GetTableClient(StorageNames.AuditTable), AuditTrail.Row(claims.StudyId, "link:pause", MailAudit.RemindersPaused, claims.AssessmentId,
                "the rater paused reminders through the link in a mail", clock.GetUtcNow(), change), ct).ConfigureAwait(false);
            log.LogInformation("Reminders of {StudyId}/{AssessmentId} paused through the pause link.", claims.StudyId, claims.AssessmentId);
            return target with { State = PauseState.Paused };
        }
    }
}

/// <summary>The JSON answer of the pause link.</summary>
/// <param name="Status"><c>active</c> (reminders go; GET), <c>paused</c>, or <c>closed</c> (answered or withdrawn: none go).</param>
/// <param name="AssessmentId">The assessment.</param>
public sealed record PauseStatus(
    [property: System.Text.Json.Serialization.JsonPropertyName("status")] string Status,
    [property: System.Text.Json.Serialization.JsonPropertyName("assessmentId")] string AssessmentId);
