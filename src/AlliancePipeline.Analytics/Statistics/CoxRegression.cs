using MathNet.Numerics.LinearAlgebra;

namespace AlliancePipeline.Analytics.Statistics;

/// <summary>The hazard ratio of one group against the reference group.</summary>
/// <param name="Group">The group.</param>
/// <param name="Coefficient">β, the log hazard ratio (R: <c>coef</c>); null when undefined.</param>
/// <param name="HazardRatio">exp(β) (<c>exp(coef)</c>); null when undefined.</param>
/// <param name="StandardError">√ of the diagonal of the inverse information at β̂ (<c>se(coef)</c>); null when undefined.</param>
/// <param name="Z">β / SE (<c>z</c>); null when undefined.</param>
/// <param name="PValue">Wald p, the upper chi-square(1) tail of z² (<c>Pr(&gt;|z|)</c>); null when undefined.</param>
/// <param name="Lower">exp(β − z₀.₉₇₅ SE) (<c>lower .95</c>); null when undefined.</param>
/// <param name="Upper">exp(β + z₀.₉₇₅ SE) (<c>upper .95</c>); null when undefined.</param>
/// <param name="Undefined">Why the estimate is undefined (its maximum-likelihood value is infinite), or null when it is defined.</param>
public sealed record CoxCoefficient<TGroup>(TGroup Group, double? Coefficient, double? HazardRatio, double? StandardError, double? Z,
    double? PValue, double? Lower, double? Upper, string? Undefined);

/// <summary>A chi-square test of all coefficients at once.</summary>
/// <param name="Statistic">The statistic.</param>
/// <param name="DegreesOfFreedom">Its degrees of freedom.</param>
/// <param name="PValue">Its upper chi-square tail.</param>
public sealed record CoxTest(double Statistic, int DegreesOfFreedom, double PValue);

/// <summary>
/// A Cox proportional-hazards model (Cox 1972) with one categorical covariate, the group, coded as indicators against the
/// reference group; the partial likelihood handles ties by Efron's (1977) method. Equal to R's
/// <c>coxph(Surv(time, event) ~ group)</c> with its defaults and <c>summary(fit)</c>.
/// </summary>
/// <param name="Reference">The reference group: the first level with an event.</param>
/// <param name="Coefficients">One per other group with subjects, in level order.</param>
/// <param name="LogLikelihoodNull">The log partial likelihood at β = 0 (<c>loglik[1]</c>).</param>
/// <param name="LogLikelihood">The maximized log partial likelihood (<c>loglik[2]</c>; its supremum when an estimate is infinite).</param>
/// <param name="LikelihoodRatio">2 (ℓ(β̂) − ℓ(0)) (<c>logtest</c>); null when no one had the event.</param>
/// <param name="Score">U(0)ᵀ I(0)⁻¹ U(0), the score (log-rank-like) test at β = 0 (<c>sctest</c>); null when I(0) is singular.</param>
/// <param name="Wald">β̂ᵀ I(β̂) β̂ (<c>waldtest</c>); null (undefined) when an estimate is infinite.</param>
/// <param name="Iterations">Newton–Raphson iterations of the fit.</param>
public sealed record CoxRegression<TGroup>(TGroup Reference, IReadOnlyList<CoxCoefficient<TGroup>> Coefficients, double LogLikelihoodNull,
    double LogLikelihood, CoxTest? LikelihoodRatio, CoxTest? Score, CoxTest? Wald, int Iterations);

/// <summary>
/// Fits <see cref="CoxRegression{TGroup}"/>. A group without events has an infinite maximum-likelihood estimate (−∞): R
/// warns and stops at a large negative coefficient with a huge standard error; here its hazard ratio, interval and p
/// are reported as undefined (null, with the reason) and the other groups get their limiting estimates, the fit without
/// the groups that had no events (at β → −∞ those subjects drop out of every risk set). When the first level has no
/// events, the first level that has one is the reference. The likelihood-ratio test is taken at that supremum, the score
/// test at β = 0 on all subjects (both as R's to 1e-6); the Wald test is undefined then. Any other coefficient that runs
/// off to infinity (a monotone likelihood) is reported as undefined the same way.
/// </summary>
public static class CoxRegression
{
    /// <summary>Newton–Raphson iterations at most.</summary>
    public const int MaxIterations = 60;

    /// <summary>
    /// Fits the model to subjects in <paramref name="groups"/>, followed for <paramref name="times"/>, with the event when
    /// <paramref name="events"/> (else censored); levels in the order of <paramref name="levels"/> (reference first), or
    /// sorted when null.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="KaplanMeier.Fit"/>, or fewer than two groups with subjects.</exception>
    public static CoxRegression<TGroup> Fit<TGroup>(IReadOnlyList<TGroup> groups, IReadOnlyList<double> times, IReadOnlyList<bool> events,
        IReadOnlyList<TGroup>? levels = null) where TGroup : notnull
    {
        var data = SurvivalData<TGroup>.From(groups, times, events, levels);
        var present = Enumerable.Range(0, data.Levels.Length).Where(k => data.Group.Contains(k)).ToArray();
        if (present.Length < 2) throw new ArgumentException("A Cox model of groups needs at least two groups with subjects.", nameof(groups));
        var withEvents = present.Where(k => Enumerable.Range(0, data.Count).Any(i => data.Group[i] == k && data.Event[i])).ToArray();
        int df = present.Length - 1;

        // Score test and l(0) on all subjects, the first present level as reference.
        var all = Enumerable.Range(0, data.Count).ToArray();
        var full = PartialLikelihood.Of(data, all, present);
        var atZero = full.Evaluate(new double[df]);
        CoxTest? score = null;
        if (TrySolve(atZero.Information, atZero.Score) is { } step)
        {
            double s = step.Zip(atZero.Score, (a, b) => a * b).Sum();
            score = new CoxTest(s, df, Distributions.ChiSquareUpper(s, df));
        }
        if (withEvents.Length == 0)
            return new CoxRegression<TGroup>(data.Levels[present[0]],
                [.. present[1..].Select(k => Undefined(data.Levels[k], "no group had an event"))], atZero.LogLikelihood, atZero.LogLikelihood,
                null, score, null, 0);

        // The fit on the groups with events; the others' estimates are −∞.
        var kept = all.Where(i => withEvents.Contains(data.Group[i])).ToArray();
        var model = PartialLikelihood.Of(data, kept, withEvents);
        var (beta, at, iterations, moving) = NewtonRaphson(model, withEvents.Length - 1);
        var lr = 2 * (at.LogLikelihood - atZero.LogLikelihood);
        var variance = Invert(at.Information, moving);
        double z975 = Distributions.NormalQuantile(0.975);
        var coefficients = new List<CoxCoefficient<TGroup>>();
        foreach (int k in present.Where(k => k != withEvents[0]))
        {
            int j = Array.IndexOf(withEvents, k) - 1;
            if (j < 0) coefficients.Add(Undefined(data.Levels[k], "no events in this group"));
            else if (moving[j] || variance is null) coefficients.Add(Undefined(data.Levels[k], "the estimate is infinite (monotone likelihood)"));
            else
            {
                double b = beta[j], se = Math.Sqrt(variance[j, j]), z = b / se;
                coefficients.Add(new CoxCoefficient<TGroup>(data.Levels[k], b, Math.Exp(b), se, z, Distributions.ChiSquareUpper(z * z, 1),
                    Math.Exp(b - z975 * se), Math.Exp(b + z975 * se), null));
            }
        }
        CoxTest? wald = null;
        if (coefficients.All(c => c.Undefined is null))
        {
            double w = 0;
            for (int a = 0; a < beta.Length; a++)
                for (int b = 0; b < beta.Length; b++) w += beta[a] * at.Information[a, b] * beta[b];
            wald = new CoxTest(w, df, Distributions.ChiSquareUpper(w, df));
        }
        return new CoxRegression<TGroup>(data.Levels[withEvents[0]], coefficients, atZero.LogLikelihood, at.LogLikelihood,
            new CoxTest(lr, df, Distributions.ChiSquareUpper(lr, df)), score, wald, iterations);
    }

    private static CoxCoefficient<TGroup> Undefined<TGroup>(TGroup group, string why) => new(group, null, null, null, null, null, null, null, why);

    /// <summary>
    /// Newton–Raphson from β = 0, halving a step that lowers the likelihood (as <c>coxph</c>), until the step is below
    /// 1e-10 (relative): tighter than R's stopping rule (|1 − ℓ_old/ℓ_new| ≤ 1e-9), so R's estimates agree to about 1e-7.
    /// Coefficients still moving after <see cref="MaxIterations"/> run off to infinity.
    /// </summary>
    private static (double[] Beta, Evaluation At, int Iterations, bool[] Moving) NewtonRaphson(PartialLikelihood model, int p)
    {
        var beta = new double[p];
        var at = model.Evaluate(beta);
        var moving = new bool[p];
        if (p == 0) return (beta, at, 0, moving);
        for (int iteration = 1; iteration <= MaxIterations; iteration++)
        {
            var step = TrySolve(at.Information, at.Score);
            if (step is null) break;
            var next = beta.Zip(step, (b, s) => b + s).ToArray();
            var there = model.Evaluate(next);
            while (there.LogLikelihood < at.LogLikelihood && !Converged(beta, step))
            {
                // Step halving, as coxph when the likelihood falls.
                for (int j = 0; j < p; j++) step[j] /= 2;
                next = beta.Zip(step, (b, s) => b + s).ToArray();
                there = model.Evaluate(next);
            }
            bool done = Converged(beta, step);
            if (there.LogLikelihood >= at.LogLikelihood || done)
            {
                beta = next;
                at = there;
            }
            for (int j = 0; j < p; j++) moving[j] = Math.Abs(step[j]) > 1e-6 * Math.Max(1, Math.Abs(beta[j]));
            if (done) return (beta, at, iteration, new bool[p]);
        }
        return (beta, at, MaxIterations, moving);
    }

    private static bool Converged(double[] beta, double[] step) =>
        beta.Zip(step).All(x => Math.Abs(x.Second) <= 1e-10 * Math.Max(1, Math.Abs(x.First)));

    private static double[]? TrySolve(double[,] information, double[] score)
    {
        int p = score.Length;
        if (p == 0) return null;
        var m = Matrix<double>.Build.DenseOfArray(information);
        if (m.Determinant() is var det && !(Math.Abs(det) > 0)) return null;
        var x = m.Solve(Vector<double>.Build.DenseOfArray(score)).ToArray();
        return x.All(double.IsFinite) ? x : null;
    }

    /// <summary>The inverse information of the coefficients that stopped moving (the others held fixed), or null.</summary>
    private static double[,]? Invert(double[,] information, bool[] moving)
    {
        int p = moving.Length;
        var keep = Enumerable.Range(0, p).Where(j => !moving[j]).ToArray();
        var result = new double[p, p];
        if (keep.Length == 0) return result;
        var m = Matrix<double>.Build.Dense(keep.Length, keep.Length, (a, b) => information[keep[a], keep[b]]);
        var inverse = m.Inverse();
        for (int a = 0; a < keep.Length; a++)
            for (int b = 0; b < keep.Length; b++) result[keep[a], keep[b]] = inverse[a, b];
        return inverse.Enumerate().All(double.IsFinite) ? result : null;
    }

    private sealed record Evaluation(double LogLikelihood, double[] Score, double[,] Information);

    /// <summary>
    /// Efron's log partial likelihood of group indicators, its gradient U and information I (minus the Hessian). At an
    /// event time with d events, risk-set sums S₀ = Σ_R w, S₁ = Σ_R w x (w = exp(xᵀβ)) and the same over the d events
    /// (S₀ᴰ, S₁ᴰ): for r = 0 … d − 1, A = S − (r/d) Sᴰ, and ℓ += Σ_D xᵀβ − Σ_r log A₀, U += Σ_D x − Σ_r A₁/A₀,
    /// I += Σ_r (diag(A₁)/A₀ − A₁A₁ᵀ/A₀²) (indicators: x xᵀ = diag(x)).
    /// </summary>
    private sealed class PartialLikelihood
    {
        private readonly int[] _order;      // subjects, latest time first
        private readonly int[] _covariate;  // −1 for the reference group, else the indicator's index
        private readonly double[] _time;
        private readonly bool[] _event;
        private readonly int _p;

        /// <summary>The subjects <paramref name="subjects"/>; <paramref name="levels"/>[0] is the reference, the others indicators.</summary>
        public static PartialLikelihood Of<TGroup>(SurvivalData<TGroup> data, int[] subjects, int[] levels) where TGroup : notnull =>
            new(data.Time, data.Event, subjects, [.. subjects.Select(i => Array.IndexOf(levels, data.Group[i]) - 1)], levels.Length - 1);

        private PartialLikelihood(double[] time, bool[] events, int[] subjects, int[] covariate, int p)
        {
            _time = time;
            _event = events;
            _p = p;
            var byTime = Enumerable.Range(0, subjects.Length).OrderByDescending(k => time[subjects[k]]).ToArray();
            _order = [.. byTime.Select(k => subjects[k])];
            _covariate = [.. byTime.Select(k => covariate[k])];
        }

        public Evaluation Evaluate(double[] beta)
        {
            int p = _p;
            double loglik = 0;
            var u = new double[p];
            var info = new double[p, p];
            double s0 = 0;
            var s1 = new double[p];
            var s1d = new double[p];
            var xsum = new double[p];
            int at = 0;
            while (at < _order.Length)
            {
                double t = _time[_order[at]];
                double s0d = 0, xbeta = 0;
                int d = 0;
                Array.Clear(s1d);
                Array.Clear(xsum);
                for (; at < _order.Length && _time[_order[at]] == t; at++)
                {
                    int c = _covariate[at];
                    double b = c < 0 ? 0 : beta[c], w = Math.Exp(b);
                    s0 += w;
                    if (c >= 0) s1[c] += w;
                    if (!_event[_order[at]]) continue;
                    d++;
                    s0d += w;
                    xbeta += b;
                    if (c >= 0)
                    {
                        s1d[c] += w;
                        xsum[c] += 1;
                    }
                }
                if (d == 0) continue;
                loglik += xbeta;
                for (int j = 0; j < p; j++) u[j] += xsum[j];
                for (int r = 0; r < d; r++)
                {
                    double f = (double)r / d, a0 = s0 - f * s0d;
                    loglik -= Math.Log(a0);
                    for (int j = 0; j < p; j++)
                    {
                        double a1j = s1[j] - f * s1d[j];
                        u[j] -= a1j / a0;
                        info[j, j] += a1j / a0;
                        for (int k = 0; k < p; k++) info[j, k] -= a1j * (s1[k] - f * s1d[k]) / (a0 * a0);
                    }
                }
            }
            return new Evaluation(loglik, u, info);
        }
    }
}
