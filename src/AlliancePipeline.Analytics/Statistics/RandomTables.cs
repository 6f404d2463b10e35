namespace AlliancePipeline.Analytics.Statistics;

/// <summary>
/// Random two-way tables with given margins, uniformly under independence (the multiple hypergeometric distribution):
/// Patefield's algorithm (Patefield 1981, Applied Statistics algorithm AS 159), step for step as R's <c>rcont2</c>, so
/// that with <see cref="RUniform"/> it draws the tables R draws (<c>r2dtable</c>, <c>fisher.test(simulate.p.value = TRUE)</c>).
/// </summary>
public static class RandomTables
{
    /// <summary>
    /// Fills <paramref name="table"/> (row-major, <c>rows × columns</c>) with a random table whose row sums are
    /// <paramref name="rowSums"/> and column sums <paramref name="columnSums"/>.
    /// </summary>
    /// <param name="rowSums">The row totals.</param>
    /// <param name="columnSums">The column totals (the same grand total).</param>
    /// <param name="lnFactorial"><c>ln k!</c> for k = 0..n, summed as R sums them (<c>fact[i] = fact[i − 1] + log(i)</c>).</param>
    /// <param name="uniform">The generator the draws come from.</param>
    /// <param name="table">Filled with the table, row after row.</param>
    public static void Draw(int[] rowSums, int[] columnSums, double[] lnFactorial, RUniform uniform, int[] table)
    {
        ArgumentNullException.ThrowIfNull(rowSums);
        ArgumentNullException.ThrowIfNull(columnSums);
        ArgumentNullException.ThrowIfNull(lnFactorial);
        ArgumentNullException.ThrowIfNull(uniform);
        ArgumentNullException.ThrowIfNull(table);
        int nrow = rowSums.Length, ncol = columnSums.Length, nr1 = nrow - 1, nc1 = ncol - 1, ib = 0;
        var f = lnFactorial;
        var jwork = new int[ncol];
        for (int j = 0; j < nc1; j++) jwork[j] = columnSums[j];
        int jc = rowSums.Sum();
        for (int l = 0; l < nr1; l++)
        {
            int ia = rowSums[l], ic = jc;
            jc -= ia;
            for (int m = 0; m < nc1; m++)
            {
                int id = jwork[m], ie = ic;
                ib = ie - ia;
                int ii = ib - id;
                ic -= id;
                if (ie == 0)
                {
                    for (int j = m; j < nc1; j++) table[l * ncol + j] = 0;
                    ia = 0;
                    break;
                }
                double u = uniform.Next();
                int nlm = Cell(ia, ib, ic, id, ie, ii, f, uniform, u);
                table[l * ncol + m] = nlm;
                ia -= nlm;
                jwork[m] -= nlm;
            }
            table[l * ncol + nc1] = ia;
        }
        for (int m = 0; m < nc1; m++) table[nr1 * ncol + m] = jwork[m];
        table[nr1 * ncol + nc1] = ib - table[nr1 * ncol + nc1 - 1];
    }

    /// <summary>One cell: from its conditional mode outwards, up and down in turn, until the probabilities summed pass u.</summary>
    private static int Cell(int ia, int ib, int ic, int id, int ie, int ii, double[] f, RUniform uniform, double u)
    {
        while (true)
        {
            int nlm = (int)(ia * (id / (double)ie) + 0.5);
            double x = Math.Exp(f[ia] + f[ib] + f[ic] + f[id] - f[ie] - f[nlm] - f[id - nlm] - f[ia - nlm] - f[ii + nlm]);
            if (x >= u) return nlm;
            if (x == 0.0) throw new InvalidOperationException("A random table could not be drawn (the probability underflowed to 0).");
            double sum = x, y = x;
            int nll = nlm;
            bool lsp;
            do
            {
                double j = (id - nlm) * (double)(ia - nlm);
                lsp = nlm == ia || nlm == id;
                if (!lsp)
                {
                    nlm++;
                    x *= j / ((double)nlm * (ii + nlm));
                    sum += x;
                    if (sum >= u) return nlm;
                }
                bool lsm;
                do
                {
                    j = nll * (double)(ii + nll);
                    lsm = nll == 0;
                    if (!lsm)
                    {
                        nll--;
                        y *= j / ((double)(id - nll) * (ia - nll));
                        sum += y;
                        if (sum >= u) return nll;
                        if (!lsp) break;
                    }
                }
                while (!lsm);
            }
            while (!lsp);
            u = sum * uniform.Next();
        }
    }
}
