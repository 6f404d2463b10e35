using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Exports;
using AlliancePipeline.Functions.Reports;
using CsvHelper;

namespace AlliancePipeline.Functions.Tests.Reports;

/// <summary>responses.csv and codebook.csv read back through CsvHelper: the codebook's columns exactly, formula cells neutralised.</summary>
public sealed class ResponseTablesTests
{
    private static List<string[]> Read(string text)
    {
        using var reader = CsvReader.FromText(text, CsvReaderOptions.Default with { HasHeader = false });
        var rows = new List<string[]>();
        while (reader.Read()) rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetString(i)).ToArray());
        return rows;
    }

    [Fact]
    public void Responses_csv_parses_back_with_exactly_the_codebook_s_columns_and_a_formula_cell_comes_out_neutralised()
    {
        var input = ReportFixtures.PaperLikeInput();
        const string formula = "=HYPERLINK(\"http://example.invalid/x\",\"click\")";
        input = input with
        {
            Responses = input.Responses.Select(r => r.DyadId == "d01" ? r with { SiteId = formula } : r.DyadId == "d02" ? r with { SiteId = "+1-2", RaterRole = r.RaterRole } : r).ToArray(),
        };
        var set = new StudyReportBuilder().Build(input);
        var rows = Read(set["responses.csv"].Content);
        var codebook = Read(set["codebook.csv"].Content);

        Assert.Equal(["name", "label", "type", "values"], codebook[0]);
        Assert.Equal(codebook.Skip(1).Select(r => r[0]), rows[0]);
        Assert.Equal(ResponseTables.Columns, rows[0]);
        Assert.All(codebook.Skip(1), r => Assert.Contains(r[2], new[] { "string", "integer", "double", "date", "datetime" }));
        Assert.Equal(input.Responses.Count + 1, rows.Count);
        Assert.All(rows, r => Assert.Equal(ResponseTables.Columns.Count, r.Length));

        int Col(string name) => rows[0].ToList().IndexOf(name);
        var d01 = rows.Where(r => r[Col("DyadId")] == "d01").ToArray();
        Assert.Equal(3, d01.Length);
        Assert.All(d01, r => Assert.Equal("'" + formula, r[Col("SiteId")]));
        Assert.All(rows.Where(r => r[Col("DyadId")] == "d02"), r => Assert.Equal("'+1-2", r[Col("SiteId")]));
        Assert.Contains("\"'=HYPERLINK(\"\"http://example.invalid/x\"\",\"\"click\"\")\"", set["responses.csv"].Content, StringComparison.Ordinal);
        Assert.DoesNotContain(rows.Skip(1), r => r.Any(cell => cell.Length > 0 && "=+-@\t\r".Contains(cell[0], StringComparison.Ordinal)));

        // The numbers read back exactly, and the cluster and outcome columns are filled.
        foreach (var (row, response) in rows.Skip(1).Zip(input.Responses.OrderBy(r => r.DyadId, StringComparer.Ordinal).ThenBy(r => r.Meeting)))
        {
            Assert.Equal(response.Global, double.Parse(row[Col("Global")], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(response.Items, Enumerable.Range(1, 12).Select(i => int.Parse(row[Col($"Item{i:00}")], System.Globalization.CultureInfo.InvariantCulture)));
            Assert.NotEqual("", row[Col("Cluster")]);
            Assert.Contains(row[Col("ClusterLabel")], new[] { "SHA", "SLA", "LDA" });
            Assert.Contains(row[Col("Employed")], new[] { "0", "1" });
            Assert.Matches("^p[1-6]$", row[Col("RaterId")]);
        }
        Assert.Contains(codebook, r => r[0] == "Item04" && r[3].Contains("reverse scored", StringComparison.Ordinal) && r[3].Contains("1 = Never", StringComparison.Ordinal));
    }

    [Fact]
    public void Dyads_csv_has_a_row_per_dyad_with_enrolment_withdrawal_latest_outcome_days_and_each_declared_covariate()
    {
        var input = ReportFixtures.PaperLikeInput();
        input = input with
        {
            Dyads = [.. input.Dyads, new ReportDyad("d99", "site-a", null, null, true)],
            Covariates = [new StudyCovariate("education", CovariateType.Categorical, ["-none", "school"]), new StudyCovariate("age", CovariateType.Numeric, [], 18, 70)],
            CovariateValues = new Dictionary<string, IReadOnlyDictionary<string, CovariateValue>>(StringComparer.Ordinal)
            {
                ["d01"] = new Dictionary<string, CovariateValue> { ["education"] = CovariateValue.OfLevel("-none"), ["age"] = CovariateValue.OfNumber(33.1) },
                ["x-outside"] = new Dictionary<string, CovariateValue> { ["education"] = CovariateValue.OfLevel("school") },
            },
            ContinuousOutcomes = new Dictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal)
            {
                ["d01"] = new Dictionary<string, int> { [StudyInputs.DaysWorkedField] = 40 },
            },
        };
        var rows = Read(new StudyReportBuilder().Build(input)["dyads.csv"].Content);

        Assert.Equal(["DyadId", "Enrolled", "Withdrawn", "Employed", "DaysWorked", "TenureDays", "education", "age"], rows[0]);
        var byId = rows.Skip(1).ToDictionary(r => r[0], StringComparer.Ordinal);
        Assert.Equal(rows.Skip(1).Select(r => r[0]).Order(StringComparer.Ordinal), rows.Skip(1).Select(r => r[0]));
        var employed = input.Outcomes.Single(o => o.DyadId == "d01").Employed ? "1" : "0";
        Assert.Equal(["d01", "1", "0", employed, "40", "", "'-none", "33.1"], byId["d01"]); // a level like a formula comes out neutralised
        Assert.Equal(["d99", "1", "1", "", "", "", "", ""], byId["d99"]);
        Assert.Equal(["x-outside", "0", "0", "", "", "", "school", ""], byId["x-outside"]);
        Assert.Equal(input.Dyads.Count + 1, rows.Count - 1);
    }

    [Fact]
    public void The_json_export_holds_every_response_with_its_items_and_scores()
    {
        var input = ReportFixtures.PaperLikeInput();
        var json = System.Text.Json.Nodes.JsonNode.Parse(ResponseExport.Json(input))!;
        var responses = json["responses"]!.AsArray();
        Assert.Equal(54, responses.Count);
        var first = responses[0]!;
        var stored = input.Responses.Single(r => r.AssessmentId == first["assessmentId"]!.GetValue<string>());
        Assert.Equal(stored.Items, first["items"]!.AsArray().Select(v => v!.GetValue<int>()));
        Assert.Equal(stored.Global, first["global"]!.GetValue<double>());
        Assert.Equal("wai-s-practitioner", json["instruments"]!["practitioner"]!.GetValue<string>());
        Assert.Equal(18, json["outcomes"]!.AsArray().Count);
        Assert.Equal(ResponseExport.Csv(input), ResponseTables.ResponsesCsv(input));
    }
}
