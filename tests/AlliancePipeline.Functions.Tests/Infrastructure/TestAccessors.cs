using System.Text;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Functions.Exports;
using AlliancePipeline.Functions.Reports;
using AlliancePipeline.Functions.Scoring;
using Hl7.Fhir.Model;

namespace AlliancePipeline.Functions.Tests;

/// <summary>
/// What the tests read that production has no member for: the WAI's column names on the general types (a response's
/// columns come from its instrument: the WAI's are Goal, Task, Bond, Global), an export's text, the shipped
/// instruments' questionnaires.
/// </summary>
public static class TestAccessors
{
    /// <summary>The columns of a WAI study's responses.csv (the design's names, as before instruments shaped them).</summary>
    public static readonly IReadOnlyList<string> WaiResponseColumns =
    [
        "StudyId", "AssessmentId", "SiteId", "DyadId", "ArmId", "Meeting", "RaterRole", "RaterId",
        "Item01", "Item02", "Item03", "Item04", "Item05", "Item06", "Item07", "Item08", "Item09", "Item10", "Item11", "Item12",
        "Goal", "Task", "Bond", "Global", "SubmittedAt", "Provenance", "Cluster", "ClusterLabel", "Employed", "JobDate", "DaysToJob",
    ];

    extension(ResponseTables)
    {
        /// <summary>The columns of responses.csv for a study of the WAI short forms.</summary>
        public static IReadOnlyList<string> Columns => WaiResponseColumns;
    }

    extension(ResponseScores scores)
    {
        /// <summary>The WAI's goal score.</summary>
        public double Goal => scores["Goal"];

        /// <summary>The WAI's task score.</summary>
        public double Task => scores["Task"];

        /// <summary>The WAI's bond score.</summary>
        public double Bond => scores["Bond"];
    }

    extension(ResponseEntity entity)
    {
        /// <summary>The WAI's goal column.</summary>
        public double Goal { get => entity.Score("Goal") ?? double.NaN; set => entity.Scores = entity.Scores.SetItem("Goal", value); }

        /// <summary>The WAI's task column.</summary>
        public double Task { get => entity.Score("Task") ?? double.NaN; set => entity.Scores = entity.Scores.SetItem("Task", value); }

        /// <summary>The WAI's bond column.</summary>
        public double Bond { get => entity.Score("Bond") ?? double.NaN; set => entity.Scores = entity.Scores.SetItem("Bond", value); }

        /// <summary>The WAI's global column.</summary>
        public double Global { get => entity.Score("Global") ?? double.NaN; set => entity.Scores = entity.Scores.SetItem("Global", value); }
    }

    extension(ExportFile file)
    {
        /// <summary>The content as text (UTF-8).</summary>
        public string Text => Encoding.UTF8.GetString(file.Content);
    }

    extension(FhirExport)
    {
        /// <summary>A collection bundle of the questionnaires of every shipped instrument.</summary>
        public static Bundle ShippedQuestionnaires(InstrumentCatalog? catalog = null)
        {
            var c = catalog ?? InstrumentCatalog.Shipped;
            var bundle = new Bundle { Type = Bundle.BundleType.Collection };
            foreach (var instrument in c.All.Where(i => c.ShippedIds.Contains(i.Id)).OrderBy(i => i.Id, StringComparer.Ordinal))
                bundle.Entry.Add(new Bundle.EntryComponent { Resource = FhirExport.ToQuestionnaire(instrument) });
            return bundle;
        }
    }

    private static Dictionary<string, double> SetItem(this IReadOnlyDictionary<string, double> scores, string column, double value) =>
        new(scores, StringComparer.Ordinal) { [column] = value };
}
