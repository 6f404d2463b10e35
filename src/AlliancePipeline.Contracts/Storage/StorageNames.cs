namespace AlliancePipeline.Contracts.Storage;

/// <summary>
/// The storage names other tools read (design, "Names that other tools read"): tables, queues and their poison
/// twins, and the reports container. The [QueueTrigger] attributes name the same constants.
/// </summary>
public static class StorageNames
{
    /// <summary>Table of studies.</summary>
    public const string StudiesTable = "Studies";
    /// <summary>Table of participants.</summary>
    public const string ParticipantsTable = "Participants";
    /// <summary>Table of assessments (PartitionKey = study id, RowKey = assessment id).</summary>
    public const string AssessmentsTable = "Assessments";
    /// <summary>Table of scored responses (PartitionKey = study id, RowKey = assessment id).</summary>
    public const string ResponsesTable = "Responses";
    /// <summary>Table of recluster runs (PartitionKey = study id, RowKey = run id).</summary>
    public const string ClusterRunsTable = "ClusterRuns";
    /// <summary>Table of audit records (PartitionKey = study id or <see cref="SystemPartition"/>, RowKey newest first).</summary>
    public const string AuditTable = "Audit";
    /// <summary>Table of outcomes per dyad (PartitionKey = study id, RowKey = dyad id).</summary>
    public const string OutcomesTable = "Outcomes";
    /// <summary>Table of dyad covariates (PartitionKey = study id, RowKey = dyad id; the values as a JSON object).</summary>
    public const string CovariatesTable = "Covariates";
    /// <summary>Table of rupture alerts (PartitionKey = study id, RowKey = the assessment whose response raised it).</summary>
    public const string AlertsTable = "Alerts";
    /// <summary>Table of mails: one row per mail queued, its state (PartitionKey = study id, RowKey = mail id).</summary>
    public const string MailTable = "Mail";
    /// <summary>Table of access keys, stored as hashes (PartitionKey <c>key</c>, RowKey = key id).</summary>
    public const string AccessKeysTable = "AccessKeys";
    /// <summary>
    /// Table of views of <see cref="AssessmentsTable"/> kept by the app: each site's assessments (PartitionKey
    /// <c>{study}|site|{site}</c>), the reminder index by due day (<c>{study}|due</c>) and their bookkeeping (docs/functions.md).
    /// </summary>
    public const string AssessmentViewsTable = "AssessmentViews";
    /// <summary>Every table.</summary>
    public static readonly IReadOnlyList<string> Tables =
        [StudiesTable, ParticipantsTable, AssessmentsTable, ResponsesTable, ClusterRunsTable, AuditTable, OutcomesTable, AlertsTable, MailTable, AccessKeysTable, AssessmentViewsTable, CovariatesTable];

    /// <summary>The partition of records that belong to no study (keys, system mail).</summary>
    public const string SystemPartition = "system";

    /// <summary>Queue of raw submissions.</summary>
    public const string ResponsesQueue = "responses";
    /// <summary>Queue of emails to send.</summary>
    public const string OutboxQueue = "outbox";
    /// <summary>Queue of <c>Reminders</c> runs to continue: a study whose due forms a run had no time left for.</summary>
    public const string RemindersQueue = "reminders";
    /// <summary>Every queue, without the poison twins.</summary>
    public static readonly IReadOnlyList<string> Queues = [ResponsesQueue, OutboxQueue, RemindersQueue];

    /// <summary>The container of report sets.</summary>
    public const string ReportsContainer = "reports";

    /// <summary>
    /// The container of applied study files: <c>{studyId}/study.json</c> (the file's text and its instrument files, as
    /// applied last) and <c>{studyId}/history/{appliedAt}.json</c> (every applied version).
    /// </summary>
    public const string StudiesContainer = "studies";

    /// <summary>Every blob container.</summary>
    public static readonly IReadOnlyList<string> Containers = [ReportsContainer, StudiesContainer];

    /// <summary>The poison twin of a queue, as the Functions host names it.</summary>
    public static string Poison(string queueName) => queueName + "-poison";
}
