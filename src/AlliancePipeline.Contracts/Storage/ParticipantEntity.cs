using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Contracts.Storage;

/// <summary>
/// A row of <c>Participants</c>: PartitionKey the study id, RowKey <c>{Kind}:{Id}</c>. One row per site (with its
/// coordinators), rater, dyad and report recipient of the applied study file; rows are never deleted (a dyad or rater that
/// leaves the file is marked withdrawn: its data stays).
/// </summary>
public sealed class ParticipantEntity : ITableEntity
{
    /// <summary>Kinds of participant row.</summary>
    public static class Kinds
    {
        /// <summary>A site; <see cref="Coordinators"/> holds its coordinators.</summary>
        public const string Site = "site";
        /// <summary>A rater (practitioner or client).</summary>
        public const string Rater = "rater";
        /// <summary>A dyad (practitioner–client pair, by pseudonymous code).</summary>
        public const string Dyad = "dyad";
        /// <summary>A report recipient (a researcher).</summary>
        public const string Recipient = "recipient";
    }

    /// <inheritdoc />
    public string PartitionKey { get; set; } = "";
    /// <inheritdoc />
    public string RowKey { get; set; } = "";
    /// <inheritdoc />
    public DateTimeOffset? Timestamp { get; set; }
    /// <inheritdoc />
    public ETag ETag { get; set; }

    /// <summary>One of <see cref="Kinds"/>.</summary>
    public string Kind { get; set; } = "";
    /// <summary>The participant's id within the study (site id, rater id, dyad code, recipient number).</summary>
    public string Id { get; set; } = "";
    /// <summary>A site's display name.</summary>
    public string? Name { get; set; }
    /// <summary>The site of a rater or dyad.</summary>
    public string? SiteId { get; set; }
    /// <summary>A rater's role (<c>practitioner</c> or <c>client</c>).</summary>
    public string? Role { get; set; }
    /// <summary>A rater's or recipient's address.</summary>
    public string? Email { get; set; }
    /// <summary>A rater's or recipient's language.</summary>
    public string? Language { get; set; }
    /// <summary>A site's coordinators, as JSON <c>[{"email":…,"language":…}]</c>.</summary>
    public string? Coordinators { get; set; }
    /// <summary>A dyad's practitioner rater.</summary>
    public string? PractitionerId { get; set; }
    /// <summary>A dyad's client rater, if the client rates too.</summary>
    public string? ClientId { get; set; }
    /// <summary>A dyad's arm.</summary>
    public string? Arm { get; set; }
    /// <summary>A dyad's enrolment date.</summary>
    public DateTimeOffset? EnrolledOn { get; set; }
    /// <summary>Whether the dyad or rater is withdrawn: no new links, no reminders.</summary>
    public bool Withdrawn { get; set; }
    /// <summary>When it was withdrawn.</summary>
    public DateTimeOffset? WithdrawnAt { get; set; }
    /// <summary>
    /// How a dyad was withdrawn: <c>file</c> (the study file says <c>withdrawn: true</c>) or <c>api</c> (a coordinator
    /// withdrew it). A withdrawal through the API stays when a file that does not mention it is applied again.
    /// </summary>
    public string? WithdrawnBy { get; set; }

    /// <summary>The row key of a participant.</summary>
    public static string Key(string kind, string id) => $"{kind}:{id}";
}
