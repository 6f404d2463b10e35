namespace AlliancePipeline.Core.Studies;

/// <summary>
/// A study as the runtime needs it: its id (the partition key of everything the study owns), a display name, the
/// instrument its raters answer (e.g. <c>wai-sr-therapist</c>) and the sites that take part.
/// </summary>
/// <param name="Id">The study id: lower-case letters, digits and hyphens (see <see cref="StudyIds.IsValid"/>).</param>
/// <param name="Name">The display name.</param>
/// <param name="InstrumentId">The id of the instrument file the raters answer.</param>
/// <param name="SiteIds">The ids of the participating sites.</param>
public sealed record Study(string Id, string Name, string InstrumentId, IReadOnlyList<string> SiteIds);

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
