namespace AlliancePipeline.Analytics.Statistics;

/// <summary>
/// Right-censored times by group, checked and indexed once for <see cref="KaplanMeier"/>, <see cref="LogRankTest"/> and
/// <see cref="CoxRegression"/>: subject i belongs to <c>Levels[Group[i]]</c>, was followed for <c>Time[i]</c> and had the
/// event (found a job) when <c>Event[i]</c>, else was censored then (at the end of follow-up). Times are compared as
/// numbers: times that differ in the last bit are distinct (R's <c>survfit</c> would merge times within √ε).
/// </summary>
internal sealed class SurvivalData<TGroup> where TGroup : notnull
{
    public required TGroup[] Levels { get; init; }
    public required int[] Group { get; init; }
    public required double[] Time { get; init; }
    public required bool[] Event { get; init; }

    public int Count => Time.Length;

    /// <summary>
    /// Checks the three arrays (same length, at least one subject, finite non-negative times, every group in
    /// <paramref name="levels"/> when given) and orders the levels: as given, else sorted (R's <c>factor</c>).
    /// </summary>
    public static SurvivalData<TGroup> From(IReadOnlyList<TGroup> groups, IReadOnlyList<double> times, IReadOnlyList<bool> events,
        IReadOnlyList<TGroup>? levels)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(times);
        ArgumentNullException.ThrowIfNull(events);
        if (groups.Count != times.Count || times.Count != events.Count)
            throw new ArgumentException($"{groups.Count} groups, {times.Count} times and {events.Count} event flags: one of each per subject.");
        if (times.Count == 0) throw new ArgumentException("At least one subject is needed.", nameof(times));
        for (int i = 0; i < times.Count; i++)
            if (!double.IsFinite(times[i]) || times[i] < 0)
                throw new ArgumentException($"Time {i + 1} must be a finite number at least 0 (got {times[i]}).", nameof(times));
        TGroup[] order = levels is null ? [.. groups.Distinct().Order()] : [.. levels];
        if (order.Distinct().Count() != order.Length) throw new ArgumentException("The levels repeat a group.", nameof(levels));
        var index = new Dictionary<TGroup, int>();
        for (int k = 0; k < order.Length; k++) index[order[k]] = k;
        var g = new int[groups.Count];
        for (int i = 0; i < g.Length; i++)
            g[i] = index.TryGetValue(groups[i], out int k) ? k
                : throw new ArgumentException($"Subject {i + 1}'s group {groups[i]} is not among the levels.", nameof(groups));
        return new SurvivalData<TGroup> { Levels = order, Group = g, Time = [.. times], Event = [.. events] };
    }

    /// <summary>The distinct times at which someone had the event, ascending.</summary>
    public double[] EventTimes() => [.. Enumerable.Range(0, Count).Where(i => Event[i]).Select(i => Time[i]).Distinct().Order()];
}
