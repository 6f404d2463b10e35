namespace AlliancePipeline.Analytics.Clustering;

/// <summary>
/// An agglomerative clustering tree in the encoding of R's <c>hclust</c> object
/// (R Core Team, <c>stats::hclust</c>; Murtagh 1985, routine HCASS2).
/// </summary>
/// <remarks>
/// <para><see cref="Merge"/> row <c>s</c> (0-based here, step <c>s + 1</c> in R) holds the two clusters joined at that step:
/// a negative entry <c>-j</c> is observation <c>j</c> (1-based), a positive entry <c>t</c> is the cluster formed at step <c>t</c>.
/// As in R, a singleton is listed before a cluster, and two clusters are listed in increasing step order.</para>
/// <para><see cref="Heights"/> are the Ward ("ward.D2") merge heights: the square root of the Lance–Williams
/// dissimilarity, i.e. <c>sqrt(2 · n_a n_b / (n_a + n_b)) · ‖c_a − c_b‖</c>.
/// <see cref="Order"/> is R's plotting order (1-based observation numbers).</para>
/// </remarks>
public sealed class Dendrogram
{
    private readonly int[,] _merge;
    private readonly int[] _order;

    internal Dendrogram(int[,] merge, double[] heights, int[] order, WardPath path, int distinctRows, int undecidedComparisons)
    {
        _merge = merge;
        _order = order;
        Heights = Array.AsReadOnly(heights);
        Order = Array.AsReadOnly(order);
        Path = path;
        DistinctRows = distinctRows;
        UndecidedComparisons = undecidedComparisons;
    }

    /// <summary>Number of observations (leaves).</summary>
    public int Count => _order.Length;

    /// <summary>The merge matrix, <c>(Count − 1) × 2</c>, in R's sign convention (see remarks on the type).</summary>
    public int[,] Merge => (int[,])_merge.Clone();

    /// <summary>Merge heights, one per step, as R's <c>hclust(...)$height</c>.</summary>
    public IReadOnlyList<double> Heights { get; }

    /// <summary>R's <c>hclust(...)$order</c>: 1-based observation numbers in dendrogram order.</summary>
    public IReadOnlyList<int> Order { get; }

    /// <summary>Which algorithm produced the tree (see <see cref="WardClustering"/>); <see cref="CertifiedEqualToR"/> says whether it is R's.</summary>
    public WardPath Path { get; }

    /// <summary>Number of distinct score rows (exact duplicates counted once).</summary>
    public int DistinctRows { get; }

    /// <summary>
    /// True when the tree is certified to be R's: every comparison between near-equal Ward costs was settled as R settles
    /// it (with R's own floating-point values), so merge, order and <c>cutree</c> are R's. False for
    /// <see cref="WardPath.RNearestNeighborListOnCentroidsUncertified"/>: still a correct Ward tree, but where costs agree
    /// to within rounding its order may differ from R's.
    /// </summary>
    public bool CertifiedEqualToR => Path != WardPath.RNearestNeighborListOnCentroidsUncertified;

    /// <summary>
    /// Comparisons between near-equal costs decided without R's values (their replay exceeded its budget): 0 when
    /// <see cref="CertifiedEqualToR"/>, more otherwise.
    /// </summary>
    public int UndecidedComparisons { get; }

    /// <summary>Left entry of merge step <paramref name="step"/> (0-based), R encoding.</summary>
    public int MergeLeft(int step) => _merge[step, 0];

    /// <summary>Right entry of merge step <paramref name="step"/> (0-based), R encoding.</summary>
    public int MergeRight(int step) => _merge[step, 1];

    /// <summary>
    /// R's <c>cutree(tree, k)</c>: the clusters after the first <c>Count − k</c> merges, numbered 1..k by first appearance
    /// among observations 1..n (the numbering R's C routine <c>cutree</c> uses).
    /// </summary>
    /// <param name="k">Number of clusters, 1 ≤ k ≤ Count.</param>
    /// <returns>One label per observation, in input order.</returns>
    public int[] CutTree(int k)
    {
        int n = Count;
        if (k < 1 || k > n)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be between 1 and the number of observations ({n}).");
        var parent = new int[n];
        for (int i = 0; i < n; i++) parent[i] = i;
        var stepLeaf = new int[n]; // a leaf (0-based) of the cluster formed at each step
        for (int s = 0; s < n - k; s++)
        {
            int a = Leaf(_merge[s, 0], stepLeaf), b = Leaf(_merge[s, 1], stepLeaf);
            int ra = Find(parent, a), rb = Find(parent, b);
            parent[rb] = ra;
            stepLeaf[s] = a;
        }
        var labels = new int[n];
        var labelOfRoot = new Dictionary<int, int>();
        for (int i = 0; i < n; i++)
        {
            int r = Find(parent, i);
            if (!labelOfRoot.TryGetValue(r, out int label))
            {
                label = labelOfRoot.Count + 1;
                labelOfRoot[r] = label;
            }
            labels[i] = label;
        }
        return labels;
    }

    private static int Leaf(int entry, int[] stepLeaf) => entry < 0 ? -entry - 1 : stepLeaf[entry - 1];

    private static int Find(int[] parent, int i)
    {
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    /// <summary>
    /// Builds the R encoding from merges given as pairs of cluster representatives, as R's Fortran <c>HCLUST</c>
    /// reports them (<c>IA</c> &lt; <c>IB</c>, 0-based observation indices; a merged cluster keeps the lower index),
    /// then derives <c>merge</c> and <c>order</c> as R's <c>HCASS2</c> does.
    /// </summary>
    internal static Dendrogram FromRepresentativePairs(int n, int[] ia, int[] ib, double[] heights, WardPath path, int distinctRows,
        int undecidedComparisons)
    {
        var merge = new int[n - 1, 2];
        var lastStep = new int[n]; // 1-based step that last formed the cluster represented by index i; 0 = singleton
        for (int s = 0; s < n - 1; s++)
        {
            int a = lastStep[ia[s]] == 0 ? -(ia[s] + 1) : lastStep[ia[s]];
            int b = lastStep[ib[s]] == 0 ? -(ib[s] + 1) : lastStep[ib[s]];
            if (a > 0 && b < 0) (a, b) = (b, a);
            else if (a > 0 && b > 0 && a > b) (a, b) = (b, a);
            merge[s, 0] = a;
            merge[s, 1] = b;
            lastStep[ia[s]] = s + 1;
        }
        return new Dendrogram(merge, heights, OrderOf(merge, n), path, distinctRows, undecidedComparisons);
    }

    private static int[] OrderOf(int[,] merge, int n)
    {
        var order = new int[n];
        if (n == 1)
        {
            order[0] = 1;
            return order;
        }
        int count = 0;
        var stack = new Stack<int>();
        stack.Push(n - 1);
        while (stack.Count > 0)
        {
            int e = stack.Pop();
            if (e < 0) order[count++] = -e;
            else
            {
                stack.Push(merge[e - 1, 1]);
                stack.Push(merge[e - 1, 0]);
            }
        }
        return order;
    }
}

/// <summary>The algorithm that produced a <see cref="Dendrogram"/>.</summary>
public enum WardPath
{
    /// <summary>R's nearest-neighbour-list algorithm (hclust.f), run on distinct rows after merging exact duplicates.</summary>
    RNearestNeighborList,

    /// <summary>
    /// R's nearest-neighbour-list algorithm run on centroids in linear memory, every close comparison settled by R's own
    /// values replayed bit for bit: R's merge, order and cutree; heights equal to R's or within rounding.
    /// </summary>
    RNearestNeighborListOnCentroids,

    /// <summary>
    /// As <see cref="RNearestNeighborListOnCentroids"/>, but at least one comparison between near-equal costs could not be
    /// settled with R's values within the replay budget and was decided on centroid costs: a correct Ward tree whose order
    /// among those near-equal merges may differ from R's.
    /// </summary>
    RNearestNeighborListOnCentroidsUncertified,
}
