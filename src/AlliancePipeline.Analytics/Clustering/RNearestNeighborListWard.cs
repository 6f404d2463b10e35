using System.Runtime.CompilerServices;

namespace AlliancePipeline.Analytics.Clustering;

/// <summary>
/// Ward "ward.D2" by the nearest-neighbour-list algorithm of R's <c>stats/src/hclust.f</c> (Murtagh 1985, as modified
/// for R by Ihaka, Leisch and Maechler), with the same floating-point operations in the same order, so that ties
/// between equal dissimilarities are broken exactly as R breaks them:
/// <list type="bullet">
/// <item>dissimilarities are R's <c>dist()</c> values squared again (<c>sqrt</c> then square, as R does);</item>
/// <item>each unit keeps its nearest neighbour among higher indices, found by a strict <c>&lt;</c> scan (first index wins);</item>
/// <item>the pair merged is the one of the lowest unit whose neighbour distance is smallest (strict <c>&lt;</c>);</item>
/// <item>the merged cluster keeps the lower index, Lance–Williams updates
/// <c>((n_i+n_k) d_ik + (n_j+n_k) d_jk − n_k d_ij) / (n_i+n_j+n_k)</c> are evaluated left to right,
/// lower units adopt the new cluster only if strictly nearer, and the height is <c>sqrt</c> of the merged dissimilarity.</item>
/// </list>
/// </summary>
/// <remarks>
/// <see cref="Grouped"/> reaches R's result with memory quadratic in the number of <em>distinct</em> rows: it plays
/// R's first phase (every group of identical rows merged at height 0, groups in order of their first row, the first row
/// absorbing the others in index order) on one value per pair of groups, tracking the neighbour lists of group
/// representatives exactly, then runs R's loop on the representatives. The tests compare it with a literal transcription
/// of <c>hclust.f</c> on every row (<c>tests/AlliancePipeline.Analytics.Tests/Reference/RHclust.cs</c>).
/// </remarks>
internal static class RNearestNeighborListWard
{
    private const double Inf = 1e300; // hclust.f: DATA INF/1.D+300/

    internal readonly record struct Result(int[] IA, int[] IB, double[] Heights);

    private static long Packed(int u, int i, int j) => (long)i * u - (long)i * (i + 1) / 2 + (j - i - 1);

    /// <summary>
    /// R's algorithm with exact duplicates collapsed first (memory g(g−1)/2 doubles for g distinct rows).
    /// Returns merges in original row indices, identical to R's run on every row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // also in short-lived processes (the CLI) and first runs
    public static Result Grouped(ScoreRows rows, DuplicateGroups groups)
    {
        int n = rows.Rows, g = groups.Count;
        var members = groups.Members;
        var rep = new int[g];
        var size = new int[g];
        for (int q = 0; q < g; q++)
        {
            rep[q] = members[q][0];
            size[q] = members[q].Length;
        }
        var m = new double[Math.Max(1L, (long)g * (g - 1) / 2)];
        Parallel.For(0, g, a =>
        {
            for (int b = a + 1; b < g; b++) m[Packed(g, a, b)] = rows.RSquaredDistance(rep[a], rep[b]);
        });
        double M(int a, int b) => a < b ? m[Packed(g, a, b)] : m[Packed(g, b, a)];

        // collapsed[q]: every unit of q is its representative (true for singletons from the start).
        var collapsed = new bool[g];
        for (int q = 0; q < g; q++) collapsed[q] = size[q] == 1;
        var nnUnit = new int[g];
        var disnn = new double[g];

        // First active unit (row index) of group q above row x, for groups not collapsing right now.
        int FirstUnitAbove(int q, int x)
        {
            if (collapsed[q]) return rep[q] > x ? rep[q] : -1;
            int pos = Array.BinarySearch(members[q], x + 1);
            if (pos < 0) pos = ~pos;
            return pos < members[q].Length ? members[q][pos] : -1;
        }

        static void Offer(double value, int unit, ref double best, ref int bestUnit)
        {
            if (unit < 0) return;
            if (value < best || (value == best && unit < bestUnit))
            {
                best = value;
                bestUnit = unit;
            }
        }

        // Initial neighbour lists (R: first J > I with the smallest dissimilarity). Groups after q have every unit above
        // rep[q], the first being their representative; groups before q can only offer members of duplicate groups.
        var duplicated = Enumerable.Range(0, g).Where(q => size[q] > 1).ToArray();
        Parallel.For(0, g, q =>
        {
            int r = rep[q];
            double best = Inf;
            int bestUnit = -1;
            if (size[q] > 1) Offer(0.0, members[q][1], ref best, ref bestUnit);
            long row = Packed(g, q, q + 1) - (q + 1);
            for (int h = q + 1; h < g; h++) Offer(m[row + h], rep[h], ref best, ref bestUnit);
            foreach (int h in duplicated)
            {
                if (h >= q) break;
                Offer(M(q, h), FirstUnitAbove(h, r), ref best, ref bestUnit);
            }
            nnUnit[q] = bestUnit;
            disnn[q] = bestUnit < 0 ? Inf : best;
        });

        var ia = new int[n - 1];
        var ib = new int[n - 1];
        var heights = new double[n - 1];
        int step = 0;
        var saved = new double[g];
        var updated = new double[g];
        for (int p = 0; p < g; p++)
        {
            if (size[p] == 1) continue;
            int p1 = rep[p];
            for (int h = 0; h < g; h++) saved[h] = h == p ? 0.0 : M(p, h);
            double m1 = 1.0;
            for (int j = 1; j < size[p]; j++)
            {
                int pj = members[p][j];
                ia[step] = p1;
                ib[step] = pj;
                heights[step] = 0.0;
                step++;
                const double d12 = 0.0; // dissimilarity of identical rows, kept 0 by every update
                double best = Inf;
                int bestUnit = -1;
                if (j + 1 < size[p]) Offer(0.0, members[p][j + 1], ref best, ref bestUnit);
                double m1Now = m1;
                ForChunks(g, (from, to) =>
                {
                    for (int h = from; h < to; h++)
                    {
                        if (h == p) continue;
                        double mk = collapsed[h] ? size[h] : 1.0;
                        long at = p < h ? Packed(g, p, h) : Packed(g, h, p);
                        double nv = (m1Now + mk) * m[at] + (1.0 + mk) * saved[h] - mk * d12;
                        nv /= m1Now + 1.0 + mk;
                        m[at] = nv;
                        updated[h] = nv;
                    }
                });
                for (int h = 0; h < g; h++)
                {
                    if (h == p) continue;
                    double nv = updated[h];
                    if (rep[h] > p1) Offer(nv, rep[h], ref best, ref bestUnit);
                    else if (nv < disnn[h])
                    {
                        disnn[h] = nv;
                        nnUnit[h] = p1;
                    }
                }
                m1 += 1.0;
                disnn[p] = bestUnit < 0 ? Inf : best;
                nnUnit[p] = bestUnit;

                for (int q = 0; q < g; q++)
                {
                    if (q == p || (nnUnit[q] != p1 && nnUnit[q] != pj)) continue;
                    int r = rep[q];
                    double b2 = Inf;
                    int u2 = -1;
                    if (!collapsed[q] && size[q] > 1) Offer(0.0, members[q][1], ref b2, ref u2);
                    // Groups after q: every unit is above r, the first is the representative (for p: p1 at the
                    // cluster's value, its remaining members at the singleton value, which is never smaller in index).
                    long row = Packed(g, q, q + 1) - (q + 1);
                    for (int h = q + 1; h < g; h++)
                    {
                        if (h == p) continue;
                        Offer(m[row + h], rep[h], ref b2, ref u2);
                    }
                    // Groups before q: only members of groups not yet collapsed, and p's remaining members.
                    foreach (int h in duplicated)
                    {
                        if (h >= q) break;
                        if (h != p && !collapsed[h]) Offer(M(q, h), FirstUnitAbove(h, r), ref b2, ref u2);
                    }
                    if (p != q)
                    {
                        if (p1 > r) Offer(M(p, q), p1, ref b2, ref u2);
                        int pos = Array.BinarySearch(members[p], j + 1, size[p] - j - 1, r + 1);
                        if (pos < 0) pos = ~pos;
                        if (pos < size[p]) Offer(saved[q], members[p][pos], ref b2, ref u2);
                    }
                    nnUnit[q] = u2;
                    disnn[q] = u2 < 0 ? Inf : b2;
                }
            }
            collapsed[p] = true;
        }

        // Phase 2: R's loop on the representatives, with the state phase 1 left.
        var groupOfRep = new Dictionary<int, int>(g);
        for (int q = 0; q < g; q++) groupOfRep[rep[q]] = q;
        var membr = new double[g];
        var nn = new int[g];
        for (int q = 0; q < g; q++)
        {
            membr[q] = size[q];
            if (nnUnit[q] < 0) { nn[q] = -1; disnn[q] = Inf; }
            else if (!groupOfRep.TryGetValue(nnUnit[q], out nn[q]))
                throw new InvalidOperationException("Internal error: a neighbour list points to an absorbed duplicate.");
        }
        if (g > 1)
        {
            var ga = new int[g - 1];
            var gb = new int[g - 1];
            var gh = new double[g - 1];
            Agglomerate(g, m, membr, nn, disnn, ga, gb, gh);
            for (int s = 0; s < g - 1; s++)
            {
                ia[step] = rep[ga[s]];
                ib[step] = rep[gb[s]];
                heights[step] = gh[s];
                step++;
            }
        }
        return new Result(ia, ib, heights);
    }

    /// <summary>Runs <paramref name="body"/> over [0, count) in two chunks in parallel when the range is large.</summary>
    private static void ForChunks(int count, Action<int, int> body)
    {
        if (count < 4096)
        {
            body(0, count);
            return;
        }
        int chunks = Math.Min(Environment.ProcessorCount, 8);
        Parallel.For(0, chunks, c => body((int)((long)count * c / chunks), (int)((long)count * (c + 1) / chunks)));
    }

    /// <summary>
    /// The main loop of hclust.f (label 400) for Ward "D2" on <paramref name="u"/> units. Inactive units are skipped
    /// through an ascending list of active units instead of R's FLAG tests: the same units are visited in the same
    /// order, so every comparison and update is R's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // also in short-lived processes (the CLI) and first runs
    private static void Agglomerate(int u, double[] diss, double[] membr, int[] nn, double[] disnn,
        int[] ia, int[] ib, double[] crit)
    {
        // rowBase[i] + j = packed index of (i, j), i < j.
        var rowBase = new long[u];
        for (int i = 0; i < u; i++) rowBase[i] = Packed(u, i, i + 1) - (i + 1);
        var active = new int[u];
        for (int i = 0; i < u; i++) active[i] = i;
        int count = u;
        var updated = new double[u];
        int im = 0, jm = 0, jj = 0;
        for (int step = 0; step < u - 1; step++)
        {
            // R scans I = 1..N-1: the last unit (index u-1) is never a candidate.
            double dmin = Inf;
            for (int p = 0; p < count; p++)
            {
                int i = active[p];
                if (i == u - 1) break;
                if (disnn[i] < dmin)
                {
                    dmin = disnn[i];
                    im = i;
                    jm = nn[i];
                }
            }
            int i2 = Math.Min(im, jm), j2 = Math.Max(im, jm);
            ia[step] = i2;
            ib[step] = j2;
            crit[step] = Math.Sqrt(dmin);
            int pj = Array.BinarySearch(active, 0, count, j2);
            Array.Copy(active, pj + 1, active, pj, count - pj - 1);
            count--;

            double d12 = diss[rowBase[i2] + j2];
            double mi = membr[i2], mj = membr[j2];
            long bi = rowBase[i2], bj = rowBase[j2];
            int c = count;
            ForChunks(c, (from, to) =>
            {
                for (int p = from; p < to; p++)
                {
                    int k = active[p];
                    if (k == i2) continue;
                    long ind1 = i2 < k ? bi + k : rowBase[k] + i2;
                    long ind2 = j2 < k ? bj + k : rowBase[k] + j2;
                    double mk = membr[k];
                    double v = (mi + mk) * diss[ind1] + (mj + mk) * diss[ind2] - mk * d12;
                    v /= mi + mj + mk;
                    diss[ind1] = v;
                    updated[k] = v;
                }
            });
            dmin = Inf;
            for (int p = 0; p < count; p++)
            {
                int k = active[p];
                if (k == i2) continue;
                double v = updated[k];
                if (i2 < k)
                {
                    if (v < dmin)
                    {
                        dmin = v;
                        jj = k;
                    }
                }
                else if (v < disnn[k])
                {
                    disnn[k] = v;
                    nn[k] = i2;
                }
            }
            membr[i2] = mi + mj;
            disnn[i2] = dmin;
            nn[i2] = jj;

            for (int p = 0; p < count; p++)
            {
                int i = active[p];
                if (i == u - 1) break;
                if (nn[i] != i2 && nn[i] != j2) continue;
                dmin = Inf;
                long b = rowBase[i];
                for (int q = p + 1; q < count; q++)
                {
                    int j = active[q];
                    double v = diss[b + j];
                    if (v < dmin)
                    {
                        dmin = v;
                        jj = j;
                    }
                }
                nn[i] = jj;
                disnn[i] = dmin;
            }
        }
    }
}
