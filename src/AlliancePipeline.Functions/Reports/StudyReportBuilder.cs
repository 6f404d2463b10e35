using System.Globalization;
using AlliancePipeline.Analytics.Reports;

namespace AlliancePipeline.Functions.Reports;

/// <summary>A report file: its name within the run folder, content type and content.</summary>
public sealed record ReportFile(string Name, string ContentType, string Content);

/// <summary>
/// A report set: its files, and what the run found, as <c>ClusterRuns</c> properties (e.g. <c>K</c>, <c>KReason</c>,
/// <c>DyadsClustered</c>, <c>CertifiedEqualToR</c>) so a run can be judged without opening its blobs.
/// </summary>
public sealed class ReportSet(IReadOnlyList<ReportFile> files, IReadOnlyDictionary<string, object> runProperties) : IReadOnlyList<ReportFile>
{
    /// <summary>Properties recorded on the run's <c>ClusterRuns</c> entity.</summary>
    public IReadOnlyDictionary<string, object> RunProperties { get; } = runProperties;

    /// <summary>The file of this name.</summary>
    public ReportFile this[string name] => files.Single(f => f.Name == name);

    /// <inheritdoc />
    public ReportFile this[int index] => files[index];

    /// <inheritdoc />
    public int Count => files.Count;

    /// <inheritdoc />
    public IEnumerator<ReportFile> GetEnumerator() => files.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Builds a study's report set from its gathered data, without I/O.</summary>
public interface IReportBuilder
{
    /// <summary>The files of the report set and the run's findings.</summary>
    ReportSet Build(ReportInput input);
}

/// <summary>
/// Builds a study's report set (no I/O): <see cref="StudyReportAnalysis.Run"/> computes every figure, then
/// <c>report.html</c> (<see cref="ReportHtml"/>), <c>responses.csv</c>, <c>codebook.csv</c> and <c>dyads.csv</c> (<see cref="ResponseTables"/>),
/// <c>clusters.json</c> (<see cref="ClustersDocument"/>) and <c>reproduce.R</c> (<see cref="ReproduceScript"/>).
/// </summary>
public sealed class StudyReportBuilder(StudyReportOptions options) : IReportBuilder
{
    /// <summary>The names of the files of a set, in the order they are written (their media types: <see cref="ReportAccess.Files"/>).</summary>
    public static readonly IReadOnlyList<string> FileNames = ["report.html", "responses.csv", "codebook.csv", "dyads.csv", "clusters.json", "reproduce.R"];

    /// <summary>The report with default settings.</summary>
    public StudyReportBuilder() : this(new StudyReportOptions()) { }

    /// <inheritdoc />
    public ReportSet Build(ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var report = StudyReportAnalysis.Run(input, options);
        string Content(string name) => name switch
        {
            "report.html" => ReportHtml.Render(report),
            "responses.csv" => ResponseTables.ResponsesCsv(input, report),
            "codebook.csv" => ResponseTables.CodebookCsv(input),
            "dyads.csv" => ResponseTables.DyadsCsv(input),
            "clusters.json" => ClustersDocument.Write(report),
            "reproduce.R" => ReproduceScript.For(report),
            _ => throw new InvalidOperationException($"No renderer for report file {name}."),
        };
        return new ReportSet([.. FileNames.Select(name => new ReportFile(name, ReportAccess.Files[name], Content(name)))], RunProperties(report));
    }

    /// <summary>
    /// The key figures recorded in <c>ClusterRuns</c>: Status, RaterRole, Dyads, DyadsClustered, DyadsIncomplete, Warnings
    /// (count) and, when clustered, K, KRule, KReason, CertifiedEqualToR, Clusters (<c>label n</c>, …), FisherP, CramersV.
    /// </summary>
    public static IReadOnlyDictionary<string, object> RunProperties(StudyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var result = report.Result;
        var run = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["Status"] = result is null ? "insufficient-data" : "clustered",
            ["RaterRole"] = report.RaterRole,
            ["Dyads"] = report.Trajectories.Count,
            ["DyadsClustered"] = result?.ClusteredDyadIds.Count ?? 0,
            ["DyadsIncomplete"] = result?.IncompleteDyadIds.Count ?? report.Trajectories.Count(t => !t.Complete),
            ["Warnings"] = report.Warnings.Count,
        };
        if (report.Message is { } message) run["Message"] = message;
        if (result is null) return run;
        run["K"] = result.Selection.K;
        run["KRule"] = result.Selection.Rule.ToString();
        run["KReason"] = result.Selection.Reason;
        run["CertifiedEqualToR"] = result.Dendrogram.CertifiedEqualToR;
        run["Clusters"] = string.Join(", ", report.Clusters.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Label} n = {c.DyadIds.Count}")));
        if (report.Outcomes?.FisherP is { } p) run["FisherP"] = p;
        if (report.Outcomes?.ChiSquare is { } x && double.IsFinite(x.CramersV)) run["CramersV"] = x.CramersV;
        return run;
    }
}
