namespace AlliancePipeline.Analytics.Statistics;

/// <summary>
/// An ordinary least squares fit as R's <c>lm</c> and <c>summary.lm</c>: coefficients with SE, t and p (aliased columns
/// dropped as R drops them: NA), R², adjusted R², residual standard error, and the overall F test.
/// </summary>
/// <param name="Coefficients">One per column of the model matrix, R's names and order; aliased ones all null.</param>
/// <param name="N">Observations.</param>
/// <param name="Rank">Columns estimated (not aliased), the intercept included.</param>
/// <param name="ResidualDf">n − rank.</param>
/// <param name="ResidualSumOfSquares">Σ residual².</param>
/// <param name="RSquared">MSS / (MSS + RSS), MSS about the mean (R's <c>r.squared</c>; 0 for the intercept alone).</param>
/// <param name="AdjustedRSquared">1 − (1 − R²)(n − 1)/(n − rank).</param>
/// <param name="Sigma">√(RSS / (n − rank)).</param>
/// <param name="F">(MSS/(rank − 1)) / σ²; null for the intercept alone (R gives none).</param>
/// <param name="FDf1">rank − 1.</param>
/// <param name="FPValue">P(F(rank − 1, n − rank) ≥ F).</param>
public sealed record LinearModel(IReadOnlyList<RegressionCoefficient> Coefficients, int N, int Rank, int ResidualDf,
    double ResidualSumOfSquares, double RSquared, double AdjustedRSquared, double Sigma, double? F, int FDf1, double? FPValue)
{
    /// <summary>The names of the columns dropped as aliased (R's NA coefficients), in model order.</summary>
    public IReadOnlyList<string> Aliased => [.. Coefficients.Where(c => c.Aliased).Select(c => c.Name)];

    /// <summary>R's <c>lm.fit</c> tolerance for aliased columns.</summary>
    internal const double Tolerance = 1e-7;

    internal static LinearModel Fit(double[] y, DesignMatrix x)
    {
        var qr = new PivotedLeastSquares(x.Columns, Tolerance);
        int n = y.Length, rdf = n - qr.Rank;
        if (rdf < 1)
            throw new ArgumentException($"Too few observations: the model estimates {qr.Rank} coefficients from {n} observations; at least {qr.Rank + 1} are needed.");
        var b = qr.Solve(y);
        var v = qr.UnscaledVariances();
        double rss = 0, mean = 0, mss = 0;
        var fitted = new double[n];
        for (int i = 0; i < n; i++)
        {
            double fi = 0;
            for (int j = 0; j < b.Length; j++) if (!double.IsNaN(b[j])) fi += x.Columns[j][i] * b[j];
            fitted[i] = fi;
            rss += (y[i] - fi) * (y[i] - fi);
            mean += fi;
        }
        mean /= n;
        for (int i = 0; i < n; i++) mss += (fitted[i] - mean) * (fitted[i] - mean);
        double resvar = rss / rdf;
        var coefficients = new RegressionCoefficient[b.Length];
        for (int j = 0; j < b.Length; j++)
        {
            if (double.IsNaN(b[j])) { coefficients[j] = new RegressionCoefficient(x.Names[j], null, null, null, null); continue; }
            double se = Math.Sqrt(v[j] * resvar), t = b[j] / se;
            coefficients[j] = new RegressionCoefficient(x.Names[j], b[j], se, t, Distributions.StudentTTwoSided(t, rdf));
        }
        double r2 = qr.Rank > 1 ? mss / (mss + rss) : 0;
        double adj = 1 - (1 - r2) * ((n - 1.0) / rdf);
        double? f = null, fp = null;
        if (qr.Rank > 1)
        {
            f = mss / (qr.Rank - 1) / resvar;
            fp = Distributions.FUpper(f.Value, qr.Rank - 1, rdf);
        }
        return new LinearModel(coefficients, n, qr.Rank, rdf, rss, r2, adj, Math.Sqrt(resvar), f, qr.Rank - 1, fp);
    }
}

/// <summary>
/// Hierarchical (blockwise) linear regression, as the seed papers report it: a continuous outcome regressed on block 1
/// (covariates; categorical ones dummy coded with the first level as reference, R's treatment contrasts) and then on
/// block 1 plus block 2 (mean alliance), with R² of each model, ΔR², and the F test of the change (R's
/// <c>anova(m1, m2)</c>). Equal to R's <c>lm</c>, <c>summary.lm</c> and <c>anova</c>
/// (<c>tests/AlliancePipeline.Analytics.Tests/RData/make_regression_reference.R</c>).
/// </summary>
/// <param name="Model1">The outcome on block 1 (the intercept alone when block 1 is empty).</param>
/// <param name="Model2">The outcome on blocks 1 and 2.</param>
/// <param name="RSquaredChange">ΔR² = R²₂ − R²₁.</param>
/// <param name="FChange">((RSS₁ − RSS₂)/df) / (RSS₂/(n − rank₂)); null when block 2 adds no estimable column (R's NA).</param>
/// <param name="DfChange">rank₂ − rank₁, the numerator df.</param>
/// <param name="DfResidual">n − rank₂, the denominator df.</param>
/// <param name="PChange">P(F(df, n − rank₂) ≥ F change); null with it.</param>
public sealed record HierarchicalRegression(LinearModel Model1, LinearModel Model2, double RSquaredChange, double? FChange,
    int DfChange, int DfResidual, double? PChange)
{
    /// <summary>
    /// Fits both models. Columns that are linear combinations of earlier ones (block 1's first, then block 2's) are dropped
    /// as R drops them (LINPACK's pivoting with tolerance 1e-7) and listed in <see cref="LinearModel.Aliased"/>; a block 2
    /// wholly aliased with block 1 gives ΔR² = 0 and no F test.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, a value is not finite, a categorical value is not among its
    /// levels, the outcome is constant, or there are too few observations (model 2 needs n − rank ≥ 1).</exception>
    public static HierarchicalRegression Fit(IReadOnlyList<double> outcome, IReadOnlyList<RegressionTerm> block1, IReadOnlyList<RegressionTerm> block2)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(block1);
        ArgumentNullException.ThrowIfNull(block2);
        if (block2.Count == 0) throw new ArgumentException("Block 2 is empty: there is nothing to add to block 1.", nameof(block2));
        int n = outcome.Count;
        if (n < 2) throw new ArgumentException($"Too few observations ({n}).", nameof(outcome));
        var y = outcome.ToArray();
        for (int i = 0; i < n; i++)
            if (!double.IsFinite(y[i])) throw new ArgumentException($"The outcome is not a finite number at observation {i + 1}.", nameof(outcome));
        if (y.All(v => v == y[0])) throw new ArgumentException("The outcome is the same for every observation: there is nothing to explain.", nameof(outcome));
        var x1 = DesignMatrix.Build(n, block1);
        var x2 = DesignMatrix.Build(n, block1.Concat(block2));
        var m2 = LinearModel.Fit(y, x2);
        var m1 = LinearModel.Fit(y, x1);
        int df = m2.Rank - m1.Rank;
        double? f = null, p = null;
        if (df > 0)
        {
            f = (m1.ResidualSumOfSquares - m2.ResidualSumOfSquares) / df / (m2.ResidualSumOfSquares / m2.ResidualDf);
            p = Distributions.FUpper(f.Value, df, m2.ResidualDf);
        }
        return new HierarchicalRegression(m1, m2, m2.RSquared - m1.RSquared, f, df, m2.ResidualDf, p);
    }
}
