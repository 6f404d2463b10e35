namespace AlliancePipeline.Benchmarks;

/// <summary>
/// Benchmark data of issue #11's kind: alliance scores are means of 12 items on 1..7, so they sit on a grid of 1/12 and
/// tie constantly. Each dyad follows one of four trajectory shapes over 4 meetings (stable high, stable low, linear
/// decrease, linear increase) with independent noise of SD 0.4 at each meeting, rounded to 1/12 and clipped to 1..7.
/// </summary>
internal static class IssueGrid
{
    private static readonly double[][] Shapes =
    [
        [6.6, 6.6, 6.6, 6.6], [5.1, 5.1, 5.1, 5.1], [6.5, 6.2, 5.9, 5.6], [5.0, 5.5, 6.0, 6.5],
    ];

    public static double[][] Generate(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ =>
        {
            var shape = Shapes[rng.Next(Shapes.Length)];
            return shape.Select(c => Math.Clamp(Math.Round((c + 0.4 * Gaussian(rng)) * 12) / 12, 1, 7)).ToArray();
        }).ToArray();
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
