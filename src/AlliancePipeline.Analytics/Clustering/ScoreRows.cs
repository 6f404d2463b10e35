namespace AlliancePipeline.Analytics.Clustering;

/// <summary>
/// Score rows stored row-major (n rows × d columns), with the floating-point operations R uses on them.
/// </summary>
internal sealed class ScoreRows
{
    public ScoreRows(double[] values, int rows, int columns)
    {
        Values = values;
        Rows = rows;
        Columns = columns;
    }

    public double[] Values { get; }
    public int Rows { get; }
    public int Columns { get; }

    public static ScoreRows From(IReadOnlyList<IReadOnlyList<double>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("At least one row of scores is required.", nameof(rows));
        int d = rows[0].Count;
        if (d == 0) throw new ArgumentException("Rows must have at least one score.", nameof(rows));
        var values = new double[rows.Count * d];
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i] ?? throw new ArgumentException($"Row {i + 1} is null.", nameof(rows));
            if (row.Count != d)
                throw new ArgumentException($"Row {i + 1} has {row.Count} scores; row 1 has {d}.", nameof(rows));
            for (int j = 0; j < d; j++)
            {
                double v = row[j];
                if (!double.IsFinite(v))
                    throw new ArgumentException($"Row {i + 1}, column {j + 1} is not a finite number ({v}).", nameof(rows));
                values[i * d + j] = v;
            }
        }
        return new ScoreRows(values, rows.Count, d);
    }

    /// <summary>
    /// The Ward.D2 input dissimilarity between rows <paramref name="a"/> and <paramref name="b"/> exactly as R forms it:
    /// <c>dist()</c> sums squared differences column by column and takes the square root (C routine <c>R_euclidean</c>),
    /// then <c>hclust.f</c> squares that distance again for "ward.D2".
    /// </summary>
    public double RSquaredDistance(int a, int b)
    {
        int d = Columns, ia = a * d, ib = b * d;
        double sum = 0.0;
        for (int j = 0; j < d; j++)
        {
            double dev = Values[ia + j] - Values[ib + j];
            sum += dev * dev;
        }
        double dist = Math.Sqrt(sum);
        return dist * dist;
    }

    /// <summary>True when rows <paramref name="a"/> and <paramref name="b"/> hold exactly the same values.</summary>
    public bool RowEquals(int a, int b)
    {
        int d = Columns;
        return Values.AsSpan(a * d, d).SequenceEqual(Values.AsSpan(b * d, d));
    }
}
