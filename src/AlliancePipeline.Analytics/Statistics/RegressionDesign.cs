namespace AlliancePipeline.Analytics.Statistics;

/// <summary>One term of a regression model: a numeric variable, or a categorical one.</summary>
/// <param name="Name">The term's name; R's column names are built from it (<c>age</c>, <c>siteS2</c>).</param>
public abstract record RegressionTerm(string Name);

/// <summary>A numeric term: one column, its values as given (one per observation).</summary>
public sealed record NumericTerm(string Name, IReadOnlyList<double> Values) : RegressionTerm(Name);

/// <summary>
/// A categorical term, dummy coded as R's treatment contrasts: one 0/1 column per level after the first, the first level
/// the reference, each column named the term's name followed by the level (R: <c>siteS2</c>).
/// </summary>
/// <param name="Name">The term's name.</param>
/// <param name="Values">The level of each observation.</param>
/// <param name="Levels">The levels in order, the first the reference; null: the distinct values in ordinal (C-locale)
/// order, as R's <c>factor()</c> orders them in the C locale. A value outside the levels is refused.</param>
public sealed record CategoricalTerm(string Name, IReadOnlyList<string> Values, IReadOnlyList<string>? Levels = null) : RegressionTerm(Name);

/// <summary>A regression coefficient as R's <c>summary()</c> prints it; all null for a column dropped as aliased.</summary>
/// <param name="Name">R's name: <c>(Intercept)</c>, the numeric term's name, or the categorical term's name and level.</param>
/// <param name="Estimate">The estimate, null when aliased (R's NA).</param>
/// <param name="StandardError">Its standard error.</param>
/// <param name="Statistic">t (linear) or z (logistic) = estimate / SE.</param>
/// <param name="PValue">Two-sided p: Student's t with the residual df (linear), the normal (logistic).</param>
public sealed record RegressionCoefficient(string Name, double? Estimate, double? StandardError, double? Statistic, double? PValue)
{
    /// <summary>True when the column was dropped as a linear combination of earlier ones (R's NA coefficient).</summary>
    public bool Aliased => Estimate is null;
}

/// <summary>The model matrix of an intercept and terms, as R's <c>model.matrix</c> with treatment contrasts.</summary>
internal sealed class DesignMatrix
{
    public required double[][] Columns { get; init; }

    public required string[] Names { get; init; }

    public int Rows => Columns[0].Length;

    public static DesignMatrix Build(int n, IEnumerable<RegressionTerm> terms)
    {
        var columns = new List<double[]> { Enumerable.Repeat(1.0, n).ToArray() };
        var names = new List<string> { "(Intercept)" };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var term in terms)
        {
            ArgumentNullException.ThrowIfNull(term);
            if (string.IsNullOrWhiteSpace(term.Name)) throw new ArgumentException("Every term needs a name.", nameof(terms));
            if (!seen.Add(term.Name)) throw new ArgumentException($"The term '{term.Name}' is given twice.", nameof(terms));
            switch (term)
            {
                case NumericTerm numeric:
                    if (numeric.Values.Count != n) throw new ArgumentException($"The term '{term.Name}' has {numeric.Values.Count} values for {n} observations.", nameof(terms));
                    for (int i = 0; i < n; i++)
                        if (!double.IsFinite(numeric.Values[i])) throw new ArgumentException($"The term '{term.Name}' has a value that is not a finite number at observation {i + 1}.", nameof(terms));
                    columns.Add([.. numeric.Values]);
                    names.Add(term.Name);
                    break;
                case CategoricalTerm categorical:
                    if (categorical.Values.Count != n) throw new ArgumentException($"The term '{term.Name}' has {categorical.Values.Count} values for {n} observations.", nameof(terms));
                    var levels = categorical.Levels ?? [.. categorical.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
                    if (levels.Distinct(StringComparer.Ordinal).Count() != levels.Count) throw new ArgumentException($"The term '{term.Name}' names a level twice.", nameof(terms));
                    var index = levels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
                    var dummies = new double[Math.Max(0, levels.Count - 1)][];
                    for (int j = 0; j < dummies.Length; j++) dummies[j] = new double[n];
                    for (int i = 0; i < n; i++)
                    {
                        if (categorical.Values[i] is not { } v || !index.TryGetValue(v, out int level))
                            throw new ArgumentException($"The term '{term.Name}' has the value '{categorical.Values[i]}' at observation {i + 1}, which is not one of its levels.", nameof(terms));
                        if (level > 0) dummies[level - 1][i] = 1;
                    }
                    for (int j = 0; j < dummies.Length; j++)
                    {
                        columns.Add(dummies[j]);
                        names.Add(term.Name + levels[j + 1]);
                    }
                    break;
                default:
                    throw new ArgumentException($"Unknown kind of term: {term.GetType().Name}.", nameof(terms));
            }
        }
        return new DesignMatrix { Columns = [.. columns], Names = [.. names] };
    }
}

/// <summary>
/// Least squares by Householder QR with R's limited column pivoting (LINPACK <c>dqrdc2</c>, as <c>lm.fit</c> and
/// <c>glm.fit</c> call it): a column whose norm, after the earlier columns are projected out, falls below
/// <c>tol</c> × its original norm is moved to the end and left out (aliased: R's NA coefficient).
/// </summary>
internal sealed class PivotedLeastSquares
{
    private readonly double[][] qr; // columns, in pivoted order: Householder vectors below the diagonal, R above
    private readonly double[] qraux;

    /// <summary>The rank: the first <c>Rank</c> entries of <see cref="Pivot"/> are the columns kept.</summary>
    public int Rank { get; }

    /// <summary>Original column index of each pivoted position.</summary>
    public int[] Pivot { get; }

    public PivotedLeastSquares(double[][] columns, double tol)
    {
        int p = columns.Length, n = columns[0].Length;
        qr = columns.Select(c => (double[])c.Clone()).ToArray();
        qraux = new double[p];
        var work1 = new double[p];
        var work2 = new double[p];
        Pivot = Enumerable.Range(0, p).ToArray();
        for (int j = 0; j < p; j++)
        {
            qraux[j] = Norm(qr[j], 0);
            work1[j] = qraux[j];
            work2[j] = qraux[j] == 0 ? 1 : qraux[j];
        }
        int lup = Math.Min(n, p), k = p + 1; // k: 1-based index of the first column moved to the end
        for (int l = 0; l < lup; l++)
        {
            while (l + 1 < k && qraux[l] < work2[l] * tol)
            {
                // Move column l to the end.
                var col = qr[l]; int piv = Pivot[l]; double qa = qraux[l], w1 = work1[l], w2 = work2[l];
                for (int j = l + 1; j < p; j++)
                {
                    qr[j - 1] = qr[j]; Pivot[j - 1] = Pivot[j]; qraux[j - 1] = qraux[j]; work1[j - 1] = work1[j]; work2[j - 1] = work2[j];
                }
                qr[p - 1] = col; Pivot[p - 1] = piv; qraux[p - 1] = qa; work1[p - 1] = w1; work2[p - 1] = w2;
                k--;
            }
            if (l == n - 1) break;
            var xl = qr[l];
            double nrmxl = Norm(xl, l);
            if (nrmxl == 0) continue;
            if (xl[l] != 0) nrmxl = Math.CopySign(nrmxl, xl[l]);
            for (int i = l; i < n; i++) xl[i] /= nrmxl;
            xl[l] += 1;
            for (int j = l + 1; j < p; j++)
            {
                var xj = qr[j];
                double t = 0;
                for (int i = l; i < n; i++) t -= xl[i] * xj[i];
                t /= xl[l];
                for (int i = l; i < n; i++) xj[i] += t * xl[i];
                if (qraux[j] == 0) continue;
                double tt = 1 - Math.Pow(Math.Abs(xj[l]) / qraux[j], 2);
                tt = Math.Max(tt, 0);
                if (Math.Abs(tt) < 1e-6)
                {
                    qraux[j] = Norm(xj, l + 1);
                    work1[j] = qraux[j];
                }
                else qraux[j] *= Math.Sqrt(tt);
            }
            qraux[l] = xl[l];
            xl[l] = -nrmxl;
        }
        Rank = Math.Min(k - 1, n);
    }

    private static double Norm(double[] x, int from)
    {
        double scale = 0, ssq = 1;
        for (int i = from; i < x.Length; i++)
        {
            if (x[i] == 0) continue;
            double a = Math.Abs(x[i]);
            if (scale < a) { ssq = 1 + ssq * (scale / a) * (scale / a); scale = a; }
            else ssq += (a / scale) * (a / scale);
        }
        return scale * Math.Sqrt(ssq);
    }

    /// <summary>Coefficients of the kept columns in original column order; NaN for the aliased ones.</summary>
    public double[] Solve(double[] y)
    {
        int n = y.Length;
        var qty = (double[])y.Clone();
        int ju = Math.Min(Rank, n - 1);
        for (int j = 0; j < ju; j++)
        {
            if (qraux[j] == 0) continue;
            var xj = qr[j];
            double diag = xj[j];
            xj[j] = qraux[j];
            double t = 0;
            for (int i = j; i < n; i++) t -= xj[i] * qty[i];
            t /= xj[j];
            for (int i = j; i < n; i++) qty[i] += t * xj[i];
            xj[j] = diag;
        }
        var b = new double[Rank];
        for (int j = Rank - 1; j >= 0; j--)
        {
            double s = qty[j];
            for (int c = j + 1; c < Rank; c++) s -= qr[c][j] * b[c];
            b[j] = s / qr[j][j];
        }
        var coefficients = Enumerable.Repeat(double.NaN, qr.Length).ToArray();
        for (int j = 0; j < Rank; j++) coefficients[Pivot[j]] = b[j];
        return coefficients;
    }

    /// <summary>Diagonal of (R'R)⁻¹ (R's <c>chol2inv</c> of the kept columns' R) in original column order; NaN for aliased.</summary>
    public double[] UnscaledVariances()
    {
        int r = Rank;
        // Rinv: upper triangular inverse of R.
        var rinv = new double[r, r];
        for (int j = 0; j < r; j++)
        {
            rinv[j, j] = 1 / qr[j][j];
            for (int i = j - 1; i >= 0; i--)
            {
                double s = 0;
                for (int c = i + 1; c <= j; c++) s += qr[c][i] * rinv[c, j];
                rinv[i, j] = -s / qr[i][i];
            }
        }
        var variances = Enumerable.Repeat(double.NaN, qr.Length).ToArray();
        for (int i = 0; i < r; i++)
        {
            double s = 0;
            for (int j = i; j < r; j++) s += rinv[i, j] * rinv[i, j];
            variances[Pivot[i]] = s;
        }
        return variances;
    }
}
