namespace AlliancePipeline.Functions.Storage;

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
    /// <summary>Table of audit records.</summary>
    public const string AuditTable = "Audit";
    /// <summary>Every table.</summary>
    public static readonly IReadOnlyList<string> Tables = [StudiesTable, ParticipantsTable, AssessmentsTable, ResponsesTable, ClusterRunsTable, AuditTable];

    /// <summary>Queue of raw submissions.</summary>
    public const string ResponsesQueue = "responses";
    /// <summary>Queue of emails to send.</summary>
    public const string OutboxQueue = "outbox";
    /// <summary>Every queue, without the poison twins.</summary>
    public static readonly IReadOnlyList<string> Queues = [ResponsesQueue, OutboxQueue];

    /// <summary>The container of report sets.</summary>
    public const string ReportsContainer = "reports";

    /// <summary>The poison twin of a queue, as the Functions host names it.</summary>
    public static string Poison(string queueName) => queueName + "-poison";
}
