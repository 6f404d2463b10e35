using System.Globalization;
using AlliancePipeline.Analytics.Clustering;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Studies;
using Fluid;

namespace AlliancePipeline.Functions.Reports;

/// <summary>
/// <c>reproduce.R</c>: a base-R script (<c>stats::hclust</c>, <c>cutree</c>, <c>fisher.test</c>, <c>chisq.test</c>, <c>binom.test</c>) that reads
/// <c>responses.csv</c>, rebuilds the trajectories with the report's rules (the role, meetings 1..T, the instrument's items,
/// reverse items and scoring rule, dyads missing a meeting left out, C-locale order of dyad ids), runs
/// <c>hclust(dist(X), "ward.D2")</c> on raw or deviation scores, cuts at the report's k, and recomputes the cluster × outcome
/// table with its tests and Cronbach's alpha of each subscale and the global scale, writing everything to a JSON file;
/// with <c>dyads.csv</c> also the flow of dyads, subscales per meeting, the logistic and hierarchical regressions and the
/// covariate tables, and checks every number against <c>clusters.json</c>.
/// Rendered by Fluid from the embedded Liquid template <c>Templates/reproduce.R.liquid</c>; every value is made safe for
/// R here (string contents escaped, comments on one line, subscale names as R names) and written without HTML encoding.
/// </summary>
public static class ReproduceScript
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly Lazy<IFluidTemplate> Template = new(() =>
        new FluidParser().TryParse(ReportTemplates.Read("reproduce.R.liquid"), out var template, out var error)
            ? template
            : throw new InvalidOperationException("The reproduce.R template does not parse: " + error));

    private static readonly TemplateOptions Options = new() { CultureInfo = CultureInfo.InvariantCulture, StrictVariables = true };

    /// <summary>The script for <paramref name="report"/>.</summary>
    public static string For(StudyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var i = report.Instrument;
        // Without the instrument's definition: the items the role's responses hold (the WAI's twelve when there are none).
        var itemCount = i?.Items.Length ?? report.Input.Responses.Where(r => r.RaterRole == report.RaterRole).Select(r => r.Items.Count).DefaultIfEmpty(12).Max();
        var subscales = i is null
            ? []
            : i.Subscales.Select(s => new Dictionary<string, object?>
            {
                ["name"] = Identifier(s.Id),
                ["items"] = string.Join(", ", s.ItemIds.Select(id => i.FindItem(id)!.Number.ToString(Inv))),
                ["method"] = s.Rule.Method == ScoreMethod.Sum ? "sum" : "mean",
                ["min_answered"] = s.Rule.MinAnswered.ToString(Inv),
                ["prorate"] = s.Rule.Prorate ? "TRUE" : "FALSE",
            }).ToArray();
        var values = new Dictionary<string, object?>
        {
            ["study_id"] = Comment(report.Input.StudyId),
            ["run_id"] = Comment(report.Input.RunId),
            ["version"] = Comment(report.Input.SoftwareVersion),
            ["role"] = StringLiteral(report.RaterRole),
            ["meetings"] = report.Meetings.ToString(Inv),
            ["k"] = report.Result?.Selection.K.ToString(Inv) ?? "NA",
            ["k_rule"] = report.Result?.Selection.Rule.ToString() ?? "not clustered",
            // The report's p-value as it was obtained: exact, or R's Monte Carlo with the same replicates and seed.
            ["fisher_call"] = report.Outcomes?.Fisher is { IsExact: false } f
                ? $"{{ set.seed({f.Seed!.Value.ToString(Inv)}); fisher.test(tab, simulate.p.value = TRUE, B = {f.Replicates!.Value.ToString(Inv)})$p.value }}"
                : "fisher.test(tab, workspace = 2e8)$p.value",
            ["deviation"] = report.Options.Analysis.Deviation ? "TRUE" : "FALSE",
            ["k_fixed"] = report.Options.Analysis.FixedK?.ToString(Inv) ?? "NA",
            ["k_rule_setting"] = report.Options.Analysis.Rule == ClusterCountCriterion.Absolute ? "absolute" : "relative",
            ["min_share"] = report.Options.Analysis.MinClusterShare.ToString("R", Inv),
            ["min_size"] = report.Options.Analysis.MinClusterSize.ToString(Inv),
            ["min_k"] = report.Options.Analysis.MinK.ToString(Inv),
            ["max_k"] = report.Options.Analysis.MaxK.ToString(Inv),
            ["assign"] = report.Assigned is null ? "FALSE" : "TRUE",
            ["stability_b"] = (report.Robustness?.Stability?.Resamples ?? 0).ToString(Inv),
            ["stability_seed"] = (report.Robustness?.Stability?.Seed ?? report.Options.StabilitySeed).ToString(Inv),
            ["scale_min"] = report.Scale.Min.ToString(Inv),
            ["scale_max"] = report.Scale.Max.ToString(Inv),
            ["item_count"] = itemCount.ToString(Inv),
            ["last_item"] = itemCount.ToString("00", Inv),
            ["reverse_items"] = i is null ? "" : string.Join(", ", i.Items.Where(x => x.Reverse).Select(x => x.Number.ToString(Inv))),
            ["score_method"] = i?.Global.Rule.Method == ScoreMethod.Sum ? "sum" : "mean",
            ["min_answered"] = (i?.Global.Rule.MinAnswered ?? itemCount).ToString(Inv),
            ["prorate"] = i?.Global.Rule.Prorate == true ? "TRUE" : "FALSE",
            ["global_column"] = StringLiteral(i?.Global.Column ?? "Global"),
            ["subscales"] = subscales,
            // The declared covariates (dyads.csv's columns after its first six): levels, and the seed and replicates of a
            // Monte Carlo Fisher p of their table by pattern (NA when exact or not tested).
            ["covariates"] = report.Input.Covariates.Select(c =>
            {
                var fisher = report.Covariates?.Categorical.FirstOrDefault(x => x.Name == c.Name)?.Fisher;
                return new Dictionary<string, object?>
                {
                    ["name"] = StringLiteral(c.Name),
                    ["categorical"] = c.Type == CovariateType.Categorical ? "TRUE" : "FALSE",
                    ["levels"] = string.Join(", ", c.Levels.Select(l => "\"" + StringLiteral(l) + "\"")),
                    ["seed"] = fisher?.Seed?.ToString(Inv) ?? "NA",
                    ["replicates"] = fisher?.Replicates?.ToString(Inv) ?? "NA",
                };
            }).ToArray(),
            // Each role's global score column: the role's instrument's (the WAI's Global when none is known).
            ["role_globals"] = string.Join(", ", report.Input.Responses.Select(r => r.RaterRole).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Select(role => $"\"{StringLiteral(role)}\" = \"{StringLiteral(report.Input.Instruments.GetValueOrDefault(role)?.Global.Column ?? (role == report.RaterRole ? i?.Global.Column ?? "Global" : "Global"))}\"")),
            ["follow_up"] = report.TimeToJob is null
                ? "NULL"
                : "data.frame(\n  dyad = c(" + string.Join(", ", report.Input.TimeToJob.Select(t => "\"" + StringLiteral(t.DyadId) + "\""))
                  + "),\n  days = c(" + string.Join(", ", report.Input.TimeToJob.Select(t => t.Days.ToString(Inv)))
                  + "),\n  event = c(" + string.Join(", ", report.Input.TimeToJob.Select(t => t.Event ? "1" : "0")) + "), stringsAsFactors = FALSE)",
        };
        var context = new TemplateContext(Options);
        foreach (var (name, value) in values) context.SetValue(name, value);
        return Template.Value.Render(context, NullEncoder.Default);
    }

    /// <summary>An R string's content: backslashes and quotes escaped, control characters dropped.</summary>
    private static string StringLiteral(string s) => new string(s.Where(c => !char.IsControl(c)).ToArray()).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    /// <summary>Text for a comment line: no line breaks.</summary>
    private static string Comment(string s) => new(s.Where(c => !char.IsControl(c)).ToArray());

    /// <summary>A name usable unquoted in an R list (subscale ids are lower-case words); anything else is back-quoted.</summary>
    private static string Identifier(string id) => id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_') && char.IsAsciiLetterLower(id[0])
        ? id
        : "`" + Comment(id).Replace("`", "", StringComparison.Ordinal) + "`";
}

/// <summary>The embedded templates of <c>Reports/Templates</c>.</summary>
internal static class ReportTemplates
{
    public static string Read(string name)
    {
        using var stream = typeof(ReportTemplates).Assembly.GetManifestResourceStream("AlliancePipeline.Functions.Reports.Templates." + name)
            ?? throw new InvalidOperationException($"The report template {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
