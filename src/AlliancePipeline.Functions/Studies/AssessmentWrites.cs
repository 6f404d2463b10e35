using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Studies;

/// <summary>
/// The <c>Assessments</c> writes that bring stored assessments in line with an enrolment plan, without I/O: new ones
/// added; pending ones whose dates, rater, language or arm moved updated (answered ones are never touched); pending ones of
/// withdrawn dyads withdrawn; withdrawn ones of reinstated dyads pending again with a new link version (the old link
/// stays refused) and a fresh invitation log; pending ones no longer planned (their meeting removed from the file, or
/// the client no longer named for the dyad) withdrawn as well, so their links answer 410 and they are never mailed. A pending one whose rater changed (the dyad moved to another rater) or
/// whose rater's address changed is <b>relinked</b>: a new link version (every link and pause link mailed before answers
/// 410), and a fresh invitation log (no expiry, no invitation, no reminders, not paused), so the next <c>Reminders</c>
/// run mails the new link to the rater as the file now names them (<c>invitation-{id}-v{version}</c>).
/// </summary>
public sealed class AssessmentWrites
{
    /// <summary>Assessments to add.</summary>
    public List<AssessmentEntity> Added { get; } = [];
    /// <summary>Merges of pending assessments whose plan moved.</summary>
    public List<TableEntity> Updated { get; } = [];
    /// <summary>Merges withdrawing pending assessments no longer planned (withdrawn dyad, removed meeting, client no longer named).</summary>
    public List<TableEntity> Withdrawn { get; } = [];
    /// <summary>Of the <see cref="Withdrawn"/> ones, those withdrawn because their meeting is no longer in the file (ids).</summary>
    public List<string> MeetingRemoved { get; } = [];
    /// <summary>Withdrawn assessments brought back, pending as planned with the next link version and a fresh invitation log, written whole as <see cref="Relinked"/> are.</summary>
    public List<AssessmentEntity> Reinstated { get; } = [];
    /// <summary>
    /// Pending assessments relinked (their rater or the rater's address changed), written whole: a merge cannot clear
    /// the invitation log (a null property is not written), so these replace the row, under the ETag it was read with.
    /// </summary>
    public List<AssessmentEntity> Relinked { get; } = [];

    /// <summary>Compares the plan with what is stored.</summary>
    /// <param name="studyId">The study.</param>
    /// <param name="study">The study as the file now describes it.</param>
    /// <param name="plan">Its enrolment plan.</param>
    /// <param name="existing">The stored assessments, by id.</param>
    /// <param name="readdressed">Raters whose address the file changed: their pending assessments are relinked.</param>
    public static AssessmentWrites Plan(string studyId, StudyDefinition study, IReadOnlyList<PlannedAssessment> plan, IReadOnlyDictionary<string, AssessmentEntity> existing,
        IReadOnlySet<string>? readdressed = null)
    {
        var writes = new AssessmentWrites();
        var planned = plan.ToDictionary(p => p.Id, StringComparer.Ordinal);
        foreach (var p in plan)
        {
            if (!existing.TryGetValue(p.Id, out var stored))
            {
                var entity = AssessmentEntity.From(p.ToAssessment(studyId));
                Fill(entity, p);
                writes.Added.Add(entity);
                continue;
            }
            if (stored.Status == nameof(AssessmentStatus.Withdrawn))
            {
                // Pending again as planned, with the next link version and a fresh invitation log, the whole row
                // replaced: a merge cannot clear the old log (the SDK leaves null values out of the request).
                writes.Reinstated.Add(Relink(studyId, stored, p));
                continue;
            }
            if (stored.Status != nameof(AssessmentStatus.Pending)) continue;
            if (stored.RaterId != p.RaterId || (readdressed?.Contains(p.RaterId) ?? false))
                writes.Relinked.Add(Relink(studyId, stored, p));
            else if (Moved(stored, p) is { } update)
                writes.Updated.Add(update);
        }
        // Whatever is pending but no longer planned is withdrawn: a withdrawn dyad's forms, a meeting removed from the
        // file, a client no longer named for the dyad (answered forms are kept as they are).
        foreach (var stored in existing.Values.OrderBy(a => a.RowKey, StringComparer.Ordinal))
        {
            if (stored.Status == nameof(AssessmentStatus.Pending) && !planned.ContainsKey(stored.RowKey))
            {
                writes.Withdrawn.Add(new TableEntity(studyId, stored.RowKey) { [nameof(AssessmentEntity.Status)] = nameof(AssessmentStatus.Withdrawn) });
                if (study.FindDyad(stored.DyadId) is { Withdrawn: false } && !study.Meetings.Any(m => m.Number == stored.Meeting))
                    writes.MeetingRemoved.Add(stored.RowKey);
            }
        }
        return writes;
    }

    /// <summary>Every write as a transaction action (stamped with <paramref name="now"/> where it matters).</summary>
    public IEnumerable<TableTransactionAction> Actions(DateTimeOffset now)
    {
        foreach (var added in Added) yield return new TableTransactionAction(TableTransactionActionType.Add, added);
        foreach (var merge in Updated) yield return new TableTransactionAction(TableTransactionActionType.UpdateMerge, merge);
        foreach (var whole in Relinked.Concat(Reinstated)) yield return new TableTransactionAction(TableTransactionActionType.UpdateReplace, whole, whole.ETag);
        foreach (var merge in Withdrawn)
        {
            merge["WithdrawnAt"] = now;
            yield return new TableTransactionAction(TableTransactionActionType.UpdateMerge, merge);
        }
    }

    /// <summary>
    /// The pending assessment as planned, for a new rater or address: the next link version (earlier links and pause
    /// links refused) and a fresh invitation log (no link expiry, invitation, reminder, error or pause), under the ETag
    /// it was read with.
    /// </summary>
    private static AssessmentEntity Relink(string studyId, AssessmentEntity stored, PlannedAssessment p)
    {
        var entity = AssessmentEntity.From(p.ToAssessment(studyId) with { LinkVersion = stored.LinkVersion + 1 });
        Fill(entity, p);
        entity.ETag = stored.ETag;
        return entity;
    }

    private static void Fill(AssessmentEntity entity, PlannedAssessment p)
    {
        entity.Arm = p.ArmId;
        entity.MeetingDate = StudyCalendar.StartOf(p.MeetingDate);
        entity.MeetingDateRecorded = p.MeetingDateRecorded;
        entity.InviteOn = StudyCalendar.StartOf(p.InviteOn);
    }

    /// <summary>A merge of the planned values that differ from the stored ones, or null when none does.</summary>
    private static TableEntity? Moved(AssessmentEntity stored, PlannedAssessment p)
    {
        var update = new TableEntity(stored.PartitionKey, stored.RowKey);
        void Set<T>(string name, T current, T planned)
        {
            if (!EqualityComparer<T>.Default.Equals(current, planned)) update[name] = planned;
        }
        Set(nameof(AssessmentEntity.DueDate), stored.DueDate, StudyCalendar.StartOf(p.DueOn));
        Set(nameof(AssessmentEntity.MeetingDate), stored.MeetingDate, (DateTimeOffset?)StudyCalendar.StartOf(p.MeetingDate));
        Set(nameof(AssessmentEntity.MeetingDateRecorded), stored.MeetingDateRecorded, p.MeetingDateRecorded);
        Set(nameof(AssessmentEntity.InviteOn), stored.InviteOn, (DateTimeOffset?)StudyCalendar.StartOf(p.InviteOn));
        Set(nameof(AssessmentEntity.RaterId), stored.RaterId, p.RaterId);
        Set(nameof(AssessmentEntity.Language), stored.Language, p.Language);
        Set(nameof(AssessmentEntity.SiteId), stored.SiteId, p.SiteId);
        Set(nameof(AssessmentEntity.Arm), stored.Arm, (string?)p.ArmId);
        return update.Count > 2 ? update : null; // PartitionKey and RowKey are entries of a TableEntity too.
    }
}
