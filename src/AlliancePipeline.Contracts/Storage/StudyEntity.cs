using AlliancePipeline.Core.Studies;
using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Contracts.Storage;

/// <summary>A row of <c>Studies</c>: PartitionKey <see cref="Partition"/>, RowKey the study id.</summary>
public sealed class StudyEntity : ITableEntity
{
    /// <summary>The one partition that holds every study.</summary>
    public const string Partition = "Study";

    /// <inheritdoc />
    public string PartitionKey { get; set; } = Partition;
    /// <inheritdoc />
    public string RowKey { get; set; } = "";
    /// <inheritdoc />
    public DateTimeOffset? Timestamp { get; set; }
    /// <inheritdoc />
    public ETag ETag { get; set; }

    /// <summary>The display name.</summary>
    public string Name { get; set; } = "";
    /// <summary>
    /// The display name per language, as JSON (<c>{"en":"…","fr":"…"}</c>), when the study file gives one per language;
    /// empty when it gives one name (written empty, not left out, so that a merge clears names a file no longer gives).
    /// </summary>
    public string? Names { get; set; }
    /// <summary>The instrument its raters answer.</summary>
    public string InstrumentId { get; set; } = "";
    /// <summary>The site ids, comma-separated.</summary>
    public string Sites { get; set; } = "";
    /// <summary>The instrument id per rater role, as JSON (<c>{"practitioner":"wai-s-practitioner","client":"…"}</c>).</summary>
    public string? InstrumentsByRole { get; set; }
    /// <summary>The study's own instruments (not shipped ones), as JSON: instrument id → its definition's JSON text.</summary>
    public string? StudyInstruments { get; set; }
    /// <summary>When the study file was last applied.</summary>
    public DateTimeOffset? AppliedAt { get; set; }
    /// <summary>Who applied it (a key id or <c>cli</c>).</summary>
    public string? AppliedBy { get; set; }
    /// <summary>How many times a changed study file was applied.</summary>
    public int Version { get; set; }
    /// <summary>When the study's report was last mailed on its schedule.</summary>
    public DateTimeOffset? ReportsMailedAt { get; set; }

    /// <summary>The entity of a study.</summary>
    public static StudyEntity From(Study study) => new()
    {
        RowKey = study.Id,
        Name = study.Name,
        InstrumentId = study.InstrumentId,
        Sites = string.Join(',', study.SiteIds),
    };

    /// <summary>Its display name in <paramref name="language"/> (<see cref="StudyNames.In"/>; the study id when it has no name).</summary>
    public string NameIn(string? language)
    {
        var name = Name.Length > 0 ? Name : RowKey;
        if (string.IsNullOrEmpty(Names)) return name;
        try
        {
            return StudyNames.In(System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(Names) ?? [], name, language);
        }
        catch (System.Text.Json.JsonException)
        {
            return name;
        }
    }

    /// <summary>The study it holds.</summary>
    public Study ToStudy() => new(RowKey, Name.Length > 0 ? Name : RowKey, InstrumentId, Sites.Split(',', StringSplitOptions.RemoveEmptyEntries),
        string.IsNullOrEmpty(InstrumentsByRole) ? null : System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(InstrumentsByRole));
}
