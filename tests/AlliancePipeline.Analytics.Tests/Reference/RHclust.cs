namespace AlliancePipeline.Analytics.Tests.Reference;

/// <summary>
/// The oracle the Ward tests compare production with: R's <c>hclust(dist(X), method = "ward.D2")</c> transcribed literally
/// from R 4.2.2's sources, on every row, with R's own memory (n(n−1)/2 doubles) and R's floating-point operations in R's
/// order: <c>dist()</c> (C routine <c>R_euclidean</c>: squared differences summed column by column, then <c>sqrt</c>),
/// Fortran <c>HCLUST</c> of <c>stats/src/hclust.f</c> for iOpt = 8 (the distances squared again, the nearest-neighbour list,
/// Lance–Williams updates; Murtagh 1985) and <c>HCASS2</c> for <c>merge</c> and <c>order</c>. Not optimised: the FLAG array,
/// full scans and 1-based indices of the Fortran are kept, so that it can be read beside it. It is itself checked against
/// every R reference (<c>WardReferenceTests</c>).
/// </summary>
public static class RHclust
{
    /// <summary>R's <c>hclust</c> object: <c>merge</c> ((n − 1) × 2, negative = observation), <c>height</c>, <c>order</c>.</summary>
    public sealed record Tree(int[,] Merge, IReadOnlyList<double> Heights, IReadOnlyList<int> Order);

    private const double Inf = 1e300; // DATA INF/1.D+300/

    /// <summary><c>hclust(dist(x), method = "ward.D2")</c>.</summary>
    public static Tree WardD2(IReadOnlyList<IReadOnlyList<double>> x)
    {
        int n = x.Count;
        if (n < 2) throw new ArgumentException("hclust needs at least two observations.", nameof(x));
        // IOFFST(N, I, J) = J + (I − 1) N − (I (I + 1)) / 2 for I < J, 1-based; DISS is 1-based here too.
        long Ioffst(int i, int j) => j + (long)(i - 1) * n - (long)i * (i + 1) / 2;
        var diss = new double[(long)n * (n - 1) / 2 + 1];
        for (int i = 1; i < n; i++)
            for (int j = i + 1; j <= n; j++)
            {
                double dist = 0;
                for (int c = 0; c < x[0].Count; c++)
                {
                    double dev = x[i - 1][c] - x[j - 1][c];
                    dist += dev * dev;
                }
                diss[Ioffst(i, j)] = Math.Sqrt(dist);
            }

        var ia = new int[n + 1];
        var ib = new int[n + 1];
        var crit = new double[n + 1];
        var membr = new double[n + 1];
        var nn = new int[n + 1];
        var disnn = new double[n + 1];
        var flag = new bool[n + 1];
        int im = 0, jj = 0, jm = 0;
        for (int i = 1; i <= n; i++)
        {
            membr[i] = 1.0;
            flag[i] = true;
        }
        int ncl = n;
        for (int i = 1; i < diss.Length; i++) diss[i] = diss[i] * diss[i]; // iOpt = 8: "ward.D2" on squared distances

        for (int i = 1; i <= n - 1; i++)
        {
            double dmin = Inf;
            for (int j = i + 1; j <= n; j++)
            {
                long ind = Ioffst(i, j);
                if (dmin > diss[ind])
                {
                    dmin = diss[ind];
                    jm = j;
                }
            }
            nn[i] = jm;
            disnn[i] = dmin;
        }

        do // label 400
        {
            double dmin = Inf;
            for (int i = 1; i <= n - 1; i++)
            {
                if (flag[i] && disnn[i] < dmin)
                {
                    dmin = disnn[i];
                    im = i;
                    jm = nn[i];
                }
            }
            ncl--;
            int i2 = Math.Min(im, jm), j2 = Math.Max(im, jm);
            ia[n - ncl] = i2;
            ib[n - ncl] = j2;
            crit[n - ncl] = Math.Sqrt(dmin);
            flag[j2] = false;

            dmin = Inf;
            for (int k = 1; k <= n; k++)
            {
                if (!flag[k] || k == i2) continue;
                long ind1 = i2 < k ? Ioffst(i2, k) : Ioffst(k, i2);
                long ind2 = j2 < k ? Ioffst(j2, k) : Ioffst(k, j2);
                double xx = diss[Ioffst(i2, j2)];
                diss[ind1] = (membr[i2] + membr[k]) * diss[ind1] + (membr[j2] + membr[k]) * diss[ind2] - membr[k] * xx;
                diss[ind1] = diss[ind1] / (membr[i2] + membr[j2] + membr[k]);
                if (i2 < k)
                {
                    if (diss[ind1] < dmin)
                    {
                        dmin = diss[ind1];
                        jj = k;
                    }
                }
                else if (diss[ind1] < disnn[k])
                {
                    disnn[k] = diss[ind1];
                    nn[k] = i2;
                }
            }
            membr[i2] = membr[i2] + membr[j2];
            disnn[i2] = dmin;
            nn[i2] = jj;

            for (int i = 1; i <= n - 1; i++)
            {
                if (!flag[i] || (nn[i] != i2 && nn[i] != j2)) continue;
                dmin = Inf;
                for (int j = i + 1; j <= n; j++)
                {
                    if (!flag[j]) continue;
                    long ind = Ioffst(i, j);
                    if (diss[ind] < dmin)
                    {
                        dmin = diss[ind];
                        jj = j;
                    }
                }
                nn[i] = jj;
                disnn[i] = dmin;
            }
        }
        while (ncl > 1);

        var (merge, order) = Hcass2(n, ia, ib);
        return new Tree(merge, crit.Skip(1).Take(n - 1).ToArray(), order);
    }

    /// <summary>HCASS2: R's <c>merge</c> (singletons negative, clusters by step) and <c>order</c> from IA, IB (1-based).</summary>
    private static (int[,] Merge, int[] Order) Hcass2(int n, int[] ia, int[] ib)
    {
        var iia = new int[n + 1];
        var iib = new int[n + 1];
        for (int i = 1; i <= n; i++)
        {
            iia[i] = ia[i];
            iib[i] = ib[i];
        }
        for (int i = 1; i <= n - 2; i++)
        {
            int k = Math.Min(ia[i], ib[i]);
            for (int j = i + 1; j <= n - 1; j++)
            {
                if (ia[j] == k) iia[j] = -i;
                if (ib[j] == k) iib[j] = -i;
            }
        }
        for (int i = 1; i <= n - 1; i++)
        {
            iia[i] = -iia[i];
            iib[i] = -iib[i];
        }
        for (int i = 1; i <= n - 1; i++)
        {
            if (iia[i] > 0 && iib[i] < 0) (iia[i], iib[i]) = (iib[i], iia[i]);
            if (iia[i] > 0 && iib[i] > 0) (iia[i], iib[i]) = (Math.Min(iia[i], iib[i]), Math.Max(iia[i], iib[i]));
        }

        var iorder = new int[n + 1];
        iorder[1] = iia[n - 1];
        iorder[2] = iib[n - 1];
        int loc = 2;
        for (int i = n - 2; i >= 1; i--)
        {
            for (int j = 1; j <= loc; j++)
            {
                if (iorder[j] != i) continue;
                iorder[j] = iia[i];
                if (j == loc)
                {
                    loc++;
                    iorder[loc] = iib[i];
                }
                else
                {
                    loc++;
                    for (int k = loc; k >= j + 2; k--) iorder[k] = iorder[k - 1];
                    iorder[j + 1] = iib[i];
                }
                break;
            }
        }

        var merge = new int[n - 1, 2];
        for (int i = 1; i <= n - 1; i++)
        {
            merge[i - 1, 0] = iia[i];
            merge[i - 1, 1] = iib[i];
        }
        return (merge, iorder.Skip(1).Select(o => -o).ToArray());
    }
}
