using System.Collections.Immutable;

namespace AlliancePipeline.Core.Scoring;

/// <summary>
/// Validated raw answers to one instrument, before scoring: what <c>POST /api/q/{token}</c> enqueues.
/// Every item of the instrument is present, in instrument order; null means unanswered.
/// </summary>
/// <param name="InstrumentId">Instrument id.</param>
/// <param name="InstrumentVersion">Instrument version the form showed.</param>
/// <param name="Answers">Answer per item id, in instrument order (null = unanswered).</param>
public sealed record ResponseAnswers(string InstrumentId, string InstrumentVersion, ImmutableArray<KeyValuePair<string, int?>> Answers)
{
    /// <summary>The answers as a dictionary keyed by item id, the input of <see cref="InstrumentScorer.Score"/>.</summary>
    public ImmutableDictionary<string, int?> ByItem => Answers.ToImmutableDictionary(StringComparer.Ordinal);
}
