using AlliancePipeline.Core.Instruments;

namespace AlliancePipeline.Demo;

/// <summary>
/// Synthetic answers for the demo study, around the three trajectories of the employment-specialist study (global WAI-S
/// on 1–7): stable high ≈ 6.6, stable low ≈ 5.1, linear decrease 6.5 → 5.6, in proportions near the published ones.
/// Each dyad has its own level offset; each item scatters around the dyad's score at that meeting; reverse-scored items
/// are answered mirrored, so the scored global lands near the target. Clients answer for themselves: a client's level
/// is 0.35 × the practitioner's target + 0.65 × the client's own level (N(5.9, 0.6) per dyad) + 0.3, so clients rate a
/// little higher than practitioners on average (about +0.35) and correlate moderately with them (r ≈ 0.5 across dyads).
/// A fixed seed makes every run the same.
/// </summary>
public sealed class DemoAnswers(InstrumentDefinition instrument, int seed = 20261123)
{
    private static readonly (string Pattern, double[] Targets, double Share)[] Patterns =
    [
        ("SHA", [6.6, 6.6, 6.6], 0.30),
        ("SLA", [5.1, 5.1, 5.1], 0.45),
        ("LDA", [6.5, 6.05, 5.6], 0.25),
    ];

    /// <summary>The pattern a dyad (1-based) follows: the first 30 % SHA, the next 45 % SLA, the rest LDA.</summary>
    public static string PatternOf(int dyad, int dyads)
    {
        var position = (dyad - 0.5) / dyads;
        var cumulative = 0.0;
        foreach (var (pattern, _, share) in Patterns)
        {
            cumulative += share;
            if (position < cumulative) return pattern;
        }
        return Patterns[^1].Pattern;
    }

    /// <summary>Whether the dyad's meeting goes unrated (a few dyads miss meeting 3).</summary>
    public static bool IsMissed(int dyad, int meeting) => meeting == 3 && dyad % 9 == 4;

    /// <summary>
    /// The answers (in item order, as given) of the <paramref name="role"/> (<c>practitioner</c> or <c>client</c>) of dyad
    /// <paramref name="dyad"/> of <paramref name="dyads"/> after meeting <paramref name="meeting"/> (1–3).
    /// </summary>
    public int[] For(int dyad, int dyads, int meeting, string role)
    {
        var client = role == "client";
        var random = new Random(unchecked((seed * 7919) + (dyad * 131) + meeting + (client ? 65_537 : 0)));
        var dyadOffset = Normal(new Random(unchecked((seed * 7919) - dyad)), 0.15);
        var target = Patterns.First(p => p.Pattern == PatternOf(dyad, dyads)).Targets[meeting - 1] + dyadOffset;
        if (client)
        {
            var own = 5.9 + Normal(new Random(unchecked((seed * 104_729) + dyad)), 0.6);
            target = (0.35 * target) + (0.65 * own) + 0.3;
        }
        var scale = instrument.Scale;
        return [.. instrument.Items.OrderBy(i => i.Number).Select(item =>
        {
            var scored = Math.Clamp((int)Math.Round(target + Normal(random, 0.45)), scale.Min, scale.Max);
            return item.Reverse ? scale.Reverse(scored) : scored;
        })];
    }

    private static double Normal(Random random, double sd) =>
        sd * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
