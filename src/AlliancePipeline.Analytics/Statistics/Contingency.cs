namespace AlliancePipeline.Analytics.Statistics;

internal static class Contingency
{
    public static int[,] Validate(int[,] table, string name)
    {
        ArgumentNullException.ThrowIfNull(table, name);
        int r = table.GetLength(0), c = table.GetLength(1);
        if (r < 2 || c < 2) throw new ArgumentException($"A contingency table needs at least 2 rows and 2 columns (got {r} × {c}).", name);
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++)
                if (table[i, j] < 0) throw new ArgumentException($"Cell [{i + 1}, {j + 1}] is negative ({table[i, j]}).", name);
        return table;
    }
}
