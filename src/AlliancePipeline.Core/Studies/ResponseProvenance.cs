using System.Collections.Immutable;

namespace AlliancePipeline.Core.Studies;

/// <summary>
/// How a response's answers reached the app, kept on its <c>Responses</c> row (<c>Provenance</c>) and shown in every
/// export and the report: through the link mailed to the rater, or through a hand-over link a coordinator asked for
/// (a study that allows it, <see cref="StudyDefinition.HandOverAllowed"/>: a rater reached by phone, the coordinator
/// filling in the form as the rater answers), or imported from a file of ratings the study already had
/// (<c>alliance responses import</c>). A researcher can then tell them apart, or leave the hand-overs or imports out.
/// </summary>
public static class ResponseProvenance
{
    /// <summary>Through the link mailed to the rater (every response before hand-over links existed).</summary>
    public const string RaterLink = "rater-link";

    /// <summary>Through a link handed over to a coordinator for the rater.</summary>
    public const string HandOver = "hand-over";

    /// <summary>Imported from a CSV file of ratings (<c>alliance responses import</c>), not answered through the app.</summary>
    public const string Imported = "imported";

    /// <summary>All three, as the codebook lists them.</summary>
    public static readonly ImmutableArray<string> All = [RaterLink, HandOver, Imported];
}
