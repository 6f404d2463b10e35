namespace AlliancePipeline.Core.Studies;

/// <summary>
/// A study as the runtime needs it: its id (the partition key of everything the study owns), a display name, the
/// instrument its raters answer (e.g. <c>wai-sr-therapist</c>) and the sites that take part.
/// </summary>
/// <param name="Id">The study id: lower-case letters, digits and hyphens (see <see cref="StudyIds.IsValid"/>).</param>
/// <param name="Name">The display name.</param>
/// <param name="InstrumentId">The id of the instrument file the raters answer.</param>
/// <param name="SiteIds">The ids of the participating sites.</param>
/// <param name="InstrumentIdsByRole">
/// The instrument id per rater role when the study asks more than one role (see <see cref="StudyDefinition.ToStudy"/>);
/// null for a study that only knows <paramref name="InstrumentId"/>.
/// </param>
public sealed record Study(string Id, string Name, string InstrumentId, IReadOnlyList<string> SiteIds, IReadOnlyDictionary<string, string>? InstrumentIdsByRole = null)
{
    /// <summary>
    /// The instrument raters of <paramref name="raterRole"/> answer: from <see cref="InstrumentIdsByRole"/> when the
    /// role is listed there, else <see cref="InstrumentId"/>.
    /// </summary>
    public string InstrumentIdFor(string raterRole) =>
        InstrumentIdsByRole is not null && InstrumentIdsByRole.TryGetValue(raterRole, out var id) ? id : InstrumentId;
}

/// <summary>Rules for the ids that become table keys and blob path segments.</summary>
public static class StudyIds
{
    /// <summary>
    /// Whether <paramref name="id"/> can be a partition key, row key and blob path segment as is: 1–63 characters of
    /// a–z, 0–9 and '-', not starting or ending with '-'. (Table keys forbid / \ # ? and control characters; blob
    /// paths are easier to read with this smaller alphabet.)
    /// </summary>
    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 63 || id[0] == '-' || id[^1] == '-') return false;
        foreach (var c in id)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')) return false;
        }
        return true;
    }
}
