namespace AlliancePipeline.Analytics.Clustering;

/// <summary>
/// Rows grouped by exact equality of all their scores. Groups are ordered by their first (lowest-index) row,
/// members within a group by index. Ward merges identical rows at height 0 before anything else, so collapsing them
/// first loses nothing (see <c>docs/analytics.md</c>).
/// </summary>
internal sealed class DuplicateGroups
{
    private DuplicateGroups(int[][] members) => Members = members;

    /// <summary>Members (0-based row indices, ascending) of each group; group order = order of first members.</summary>
    public int[][] Members { get; }

    public int Count => Members.Length;

    public int Representative(int group) => Members[group][0];

    public static DuplicateGroups Find(ScoreRows rows)
    {
        int n = rows.Rows, d = rows.Columns;
        var values = rows.Values;
        var index = new int[n];
        for (int i = 0; i < n; i++) index[i] = i;
        Array.Sort(index, (a, b) =>
        {
            for (int j = 0; j < d; j++)
            {
                int c = values[a * d + j].CompareTo(values[b * d + j]);
                if (c != 0) return c;
            }
            return a.CompareTo(b);
        });
        var groups = new List<int[]>();
        int start = 0;
        for (int i = 1; i <= n; i++)
        {
            if (i < n && rows.RowEquals(index[i], index[start])) continue;
            groups.Add(index[start..i]); // ascending: ties in the sort are broken by index
            start = i;
        }
        groups.Sort((x, y) => x[0].CompareTo(y[0]));
        return new DuplicateGroups(groups.ToArray());
    }
}
