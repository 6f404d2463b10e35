using System.Collections.Immutable;

namespace AlliancePipeline.Core.Scoring;

/// <summary>One item of a scored response.</summary>
/// <param name="ItemId">Item id.</param>
/// <param name="Column">Storage column ("Item01".."ItemNN" by position; "Item01".."Item12" for the WAI).</param>
/// <param name="Answer">The answer as given, before reverse scoring (null if unanswered): what the Responses table stores.</param>
/// <param name="Scored">The value used in the scores: the answer, or min + max − answer for a reverse-scored item.</param>
public sealed record ItemScore(string ItemId, string Column, int? Answer, int? Scored);

/// <summary>A subscale score.</summary>
/// <param name="Id">Subscale id ("goal").</param>
/// <param name="Column">Storage column ("Goal").</param>
/// <param name="Score">The score, or null if fewer items were answered than the rule requires.</param>
/// <param name="Answered">Items of the subscale answered.</param>
/// <param name="ItemCount">Items in the subscale.</param>
public sealed record SubscaleScore(string Id, string Column, double? Score, int Answered, int ItemCount);

/// <summary>The scores of one response: each subscale and the global score.</summary>
/// <param name="Subscales">Subscale scores in the instrument's declared order.</param>
/// <param name="GlobalColumn">Storage column of the global score ("Global").</param>
/// <param name="Global">The global score, or null if too few items were answered.</param>
/// <param name="Answered">Items answered in the whole response.</param>
public sealed record InstrumentScores(ImmutableArray<SubscaleScore> Subscales, string GlobalColumn, double? Global, int Answered)
{
    /// <summary>The score of a subscale by id ("goal").</summary>
    /// <exception cref="KeyNotFoundException">No such subscale.</exception>
    public double? Subscale(string id) =>
        (Subscales.FirstOrDefault(s => s.Id == id)
         ?? throw new KeyNotFoundException($"No subscale '{id}'; subscales: {string.Join(", ", Subscales.Select(s => s.Id))}.")).Score;

    /// <summary>True if every subscale score and the global score are valid.</summary>
    public bool IsComplete => Global is not null && Subscales.All(s => s.Score is not null);

    /// <summary>Scores keyed by the instrument's storage columns: "Goal", "Task", "Bond", "Global" for the WAI (null = not valid).</summary>
    public ImmutableDictionary<string, double?> Columns =>
        Subscales.Select(s => KeyValuePair.Create(s.Column, s.Score))
            .Append(KeyValuePair.Create(GlobalColumn, Global))
            .ToImmutableDictionary(StringComparer.Ordinal);
}

/// <summary>A response scored exactly as its instrument definition says.</summary>
/// <param name="InstrumentId">Instrument id.</param>
/// <param name="InstrumentVersion">Instrument version used for scoring.</param>
/// <param name="Items">Every item in instrument order, answered or not.</param>
/// <param name="Scores">Subscale and global scores.</param>
public sealed record ScoredResponse(string InstrumentId, string InstrumentVersion, ImmutableArray<ItemScore> Items, InstrumentScores Scores)
{
    /// <summary>As-answered values keyed by storage column ("Item01".."ItemNN"; null = unanswered).</summary>
    public ImmutableDictionary<string, int?> ItemColumns =>
        Items.ToImmutableDictionary(i => i.Column, i => i.Answer, StringComparer.Ordinal);
}
