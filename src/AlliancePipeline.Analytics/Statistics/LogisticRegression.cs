using MathNet.Numerics;

namespace AlliancePipeline.Analytics.Statistics;

/// <summary>A coefficient of a logistic regression with its odds ratio and Wald 95 % interval.</summary>
/// <param name="Coefficient">Estimate, SE, z and p as R's <c>summary.glm</c>; all null when aliased.</param>
/// <param name="ConfidenceLow">β − z₀.₉₇₅ SE (R's <c>confint.default</c>).</param>
/// <param name="ConfidenceHigh">β + z₀.₉₇₅ SE.</param>
/// <param name="OddsRatio">exp(β).</param>
/// <param name="OddsRatioLow">exp(lower limit).</param>
/// <param name="OddsRatioHigh">exp(upper limit).</param>
public sealed record LogisticCoefficient(RegressionCoefficient Coefficient, double? ConfidenceLow, double? ConfidenceHigh,
    double? OddsRatio, double? OddsRatioLow, double? OddsRatioHigh)
{
    /// <summary>R's name of the column.</summary>
    public string Name => Coefficient.Name;
}

/// <summary>
/// Logistic regression of a 0/1 outcome (employment) on terms (mean alliance, optionally covariates), fitted by R's
/// <c>glm(family = binomial)</c>: the same start (μ = (y + ½)/2), the same iteratively reweighted least squares with
/// LINPACK's pivoting (tolerance 1e-11; aliased columns dropped, R's NA), the same stop (|D − D_old|/(|D| + 0.1) &lt; 1e-8,
/// at most 25 iterations), so the estimates are R's to rounding. Standard errors from the last iteration's weighted fit
/// (R's <c>summary.glm</c>, dispersion 1), z, two-sided normal p; odds ratios with the Wald 95 % interval
/// exp(β ± z₀.₉₇₅ SE) (R's <c>confint.default</c>; not the profile-likelihood <c>confint</c>, see docs/analytics.md).
/// </summary>
/// <param name="Coefficients">One per column of the model matrix, R's names and order.</param>
/// <param name="N">Observations.</param>
/// <param name="Events">Observations with outcome 1.</param>
/// <param name="Deviance">Residual deviance −2 log L.</param>
/// <param name="NullDeviance">Deviance of the intercept alone.</param>
/// <param name="Aic">Deviance + 2 · rank (0/1 outcomes).</param>
/// <param name="Iterations">IRLS iterations (R's <c>iter</c>).</param>
/// <param name="Converged">Whether the deviance settled within 25 iterations (R's <c>converged</c>).</param>
/// <param name="Separation">Null, or why the estimates do not exist: the outcomes are (quasi-)separated, so the likelihood
/// has no maximum and R's numbers are where its iterations stopped. Set when every outcome is the same, when a fitted
/// probability is within 10 ε of 0 or 1 (R's warning "fitted probabilities numerically 0 or 1 occurred") or when the
/// iterations did not converge. The coefficients are then still R's; a report must show them as undefined.</param>
public sealed record LogisticRegression(IReadOnlyList<LogisticCoefficient> Coefficients, int N, int Events, double Deviance,
    double NullDeviance, double Aic, int Iterations, bool Converged, string? Separation)
{
    private const double Epsilon = 1e-8;
    private const int MaxIterations = 25;
    private const double QrTolerance = 1e-11; // min(1e-7, epsilon / 1000)

    /// <summary>The names of the columns dropped as aliased (R's NA coefficients).</summary>
    public IReadOnlyList<string> Aliased => [.. Coefficients.Where(c => c.Coefficient.Aliased).Select(c => c.Name)];

    /// <summary>Fits <paramref name="outcome"/> (each 0 or 1) on an intercept and <paramref name="terms"/>.</summary>
    /// <exception cref="ArgumentException">Lengths differ, an outcome is not 0 or 1, a value is not finite, a categorical
    /// value is not among its levels, or there are no more observations than coefficients.</exception>
    public static LogisticRegression Fit(IReadOnlyList<int> outcome, IReadOnlyList<RegressionTerm> terms)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(terms);
        int n = outcome.Count;
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (outcome[i] is not (0 or 1)) throw new ArgumentException($"The outcome must be 0 or 1 (observation {i + 1} has {outcome[i]}).", nameof(outcome));
            y[i] = outcome[i];
        }
        var x = DesignMatrix.Build(n, terms);
        int p = x.Columns.Length;
        if (n <= p) throw new ArgumentException($"Too few observations: the model has {p} coefficients and {n} observations; at least {p + 1} are needed.", nameof(outcome));

        var eta = new double[n];
        var mu = new double[n];
        for (int i = 0; i < n; i++)
        {
            double m = (y[i] + 0.5) / 2;
            eta[i] = Math.Log(m / (1 - m));
            mu[i] = LinkInverse(eta[i]);
        }
        double devOld = DevianceOf(y, mu), dev = devOld;
        bool converged = false;
        int iterations = 0;
        PivotedLeastSquares? fit = null;
        var coefficients = new double[p];
        var weighted = new double[p][];
        for (int j = 0; j < p; j++) weighted[j] = new double[n];
        var z = new double[n];
        for (int iter = 1; iter <= MaxIterations; iter++)
        {
            iterations = iter;
            for (int i = 0; i < n; i++)
            {
                double muEta = MuEta(eta[i]);
                double variance = mu[i] * (1 - mu[i]);
                double w = Math.Sqrt(muEta * muEta / variance);
                z[i] = (eta[i] + (y[i] - mu[i]) / muEta) * w;
                for (int j = 0; j < p; j++) weighted[j][i] = x.Columns[j][i] * w;
            }
            fit = new PivotedLeastSquares(weighted, QrTolerance);
            var b = fit.Solve(z);
            for (int j = 0; j < p; j++) coefficients[j] = double.IsNaN(b[j]) ? 0 : b[j];
            if (coefficients.Any(c => !double.IsFinite(c))) break;
            for (int i = 0; i < n; i++)
            {
                double e = 0;
                for (int j = 0; j < p; j++) e += x.Columns[j][i] * coefficients[j];
                eta[i] = e;
                mu[i] = LinkInverse(e);
            }
            dev = DevianceOf(y, mu);
            if (Math.Abs(dev - devOld) / (Math.Abs(dev) + 0.1) < Epsilon)
            {
                converged = true;
                break;
            }
            devOld = dev;
        }

        var variances = fit!.UnscaledVariances();
        double zq = Distributions.NormalQuantile(0.975);
        var rows = new LogisticCoefficient[p];
        for (int j = 0; j < p; j++)
        {
            if (double.IsNaN(variances[j]))
            {
                rows[j] = new LogisticCoefficient(new RegressionCoefficient(x.Names[j], null, null, null, null), null, null, null, null, null);
                continue;
            }
            double b = coefficients[j], se = Math.Sqrt(variances[j]), zs = b / se;
            double pz = SpecialFunctions.Erfc(Math.Abs(zs) / Constants.Sqrt2);
            double lo = b - zq * se, hi = b + zq * se;
            rows[j] = new LogisticCoefficient(new RegressionCoefficient(x.Names[j], b, se, zs, pz), lo, hi, Math.Exp(b), Math.Exp(lo), Math.Exp(hi));
        }
        int events = y.Count(v => v == 1);
        double pbar = (double)events / n;
        double nullDeviance = DevianceOf(y, [.. Enumerable.Repeat(pbar, n)]);
        const double eps = 10 * MachineEpsilon;
        string? separation =
            events == 0 || events == n ? $"Every outcome is {(events == 0 ? 0 : 1)}: the odds cannot be estimated."
            : mu.Any(m => m > 1 - eps || m < eps) ? "The outcomes are separated by the predictors (fitted probabilities of 0 or 1): the estimates do not exist."
            : !converged ? $"The fit did not converge in {MaxIterations} iterations (separated outcomes): the estimates do not exist."
            : null;
        return new LogisticRegression(rows, n, events, dev, nullDeviance, dev + 2 * fit.Rank, iterations, converged, separation);
    }

    private const double Threshold = 30, MachineEpsilon = 2.220446049250313e-16, InverseEpsilon = 1 / MachineEpsilon;

    /// <summary>R's logit <c>linkinv</c> (C <c>logit_linkinv</c>, bounded at ε and 1/ε).</summary>
    private static double LinkInverse(double eta)
    {
        double t = eta < -Threshold ? MachineEpsilon : eta > Threshold ? InverseEpsilon : Math.Exp(eta);
        return t / (1 + t);
    }

    /// <summary>R's logit <c>mu.eta</c>.</summary>
    private static double MuEta(double eta)
    {
        double opexp = 1 + Math.Exp(eta);
        return eta > Threshold || eta < -Threshold ? MachineEpsilon : Math.Exp(eta) / (opexp * opexp);
    }

    /// <summary>Binomial deviance of 0/1 outcomes: −2 Σ log of the probability given to what happened.</summary>
    private static double DevianceOf(double[] y, double[] mu)
    {
        double d = 0;
        for (int i = 0; i < y.Length; i++) d += 2 * (y[i] == 1 ? -Math.Log(mu[i]) : -Math.Log(1 - mu[i]));
        return d;
    }
}
