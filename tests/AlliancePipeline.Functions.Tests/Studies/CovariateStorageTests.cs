using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Tests.Infrastructure;

namespace AlliancePipeline.Functions.Tests.Studies;

/// <summary>Dyad covariates (table <c>Covariates</c>) and the continuous outcomes, through their HTTP functions on Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CovariateStorageTests(AzuriteFixture azurite)
{
    private const string Declared = """
        covariates:
          - { name: education, type: categorical, levels: [primary, secondary, tertiary], label: { en: Education, fr: Scolarité } }
          - { name: age, type: numeric, min: 18, max: 70 }
        analysis:
          followUp: { days: 182 }

        """;

    private static async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(TestApp app, HttpMethod method, string path, string body, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        using var response = await app.AdminClient.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private async Task<string> ApplyAsync(TestApp app)
    {
        var study = AzuriteFixture.UniqueName("cov");
        using var put = await app.AdminClient.PutAsync($"/api/manage/studies/{study}", new StringContent(StudyFiles.Example(study) + Declared, Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return study;
    }

    private async Task<CovariateEntity?> RowAsync(string study, string dyad)
    {
        var row = await azurite.Tables.GetTableClient(StorageNames.CovariatesTable).GetEntityIfExistsAsync<CovariateEntity>(study, dyad);
        return row.HasValue ? row.Value : null;
    }

    [Fact]
    public async Task Covariates_are_recorded_one_by_one_and_from_csv_merged_per_dyad_and_bad_values_refused_naming_what_is_allowed()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 8, 1, 12, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(azurite, clock: clock);
        var study = await ApplyAsync(app);

        var (status, body) = await SendAsync(app, HttpMethod.Put, $"/api/studies/{study}/dyads/d-001/covariates", "{\"age\":34,\"education\":\"Tertiary\"}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("tertiary", body["values"]!["education"]!.GetValue<string>());
        Assert.Equal("{\"age\":34,\"education\":\"tertiary\"}", (await RowAsync(study, "d-001"))!.Values);

        // A value given later replaces its covariate's only; the others stay.
        (status, _) = await SendAsync(app, HttpMethod.Put, $"/api/studies/{study}/dyads/d-001/covariates", "{\"age\":\"35\"}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("{\"age\":35,\"education\":\"tertiary\"}", (await RowAsync(study, "d-001"))!.Values);

        foreach (var (json, says) in new[]
        {
            ("{\"age\":12}", "covariate 'age' must be a number from 18 to 70, not 12"),
            ("{\"education\":\"college\"}", "covariate 'education' must be one of primary, secondary, tertiary, not 'college'"),
            ("{\"sex\":\"f\"}", "'sex' is not a covariate of study"),
            ("{\"age\":true}", "covariate 'age' must be a number from 18 to 70, not true"),
            ("[1]", "not a JSON object"),
        })
        {
            (status, body) = await SendAsync(app, HttpMethod.Put, $"/api/studies/{study}/dyads/d-002/covariates", json);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains(says, body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        (status, _) = await SendAsync(app, HttpMethod.Put, $"/api/studies/{study}/dyads/d-999/covariates", "{\"age\":30}");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Null(await RowAsync(study, "d-002"));

        // CSV: one bad line, nothing recorded, the line named; then a good file.
        (status, body) = await SendAsync(app, HttpMethod.Post, $"/api/studies/{study}/covariates", "dyad,age,education\nd-002,40,primary\nd-003,71,\n", "text/csv");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(3, body["errors"]![0]!["line"]!.GetValue<int>());
        Assert.Contains("covariate 'age' must be a number from 18 to 70, not '71'", body["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(await RowAsync(study, "d-002"));
        (status, body) = await SendAsync(app, HttpMethod.Post, $"/api/studies/{study}/covariates", "dyad,education\nd-001,tertiary\nd-002,secondary\n", "text/csv");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal((2, 1, 1), (body["imported"]!.GetValue<int>(), body["changed"]!.GetValue<int>(), body["unchanged"]!.GetValue<int>()));
        Assert.Equal("{\"education\":\"secondary\"}", (await RowAsync(study, "d-002"))!.Values);
        Assert.Equal("csv", (await RowAsync(study, "d-002"))!.Source);
    }

    [Fact]
    public async Task Days_worked_and_tenure_are_stored_with_the_outcome_and_refused_beyond_follow_up()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 8, 1, 12, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(azurite, clock: clock);
        var study = await ApplyAsync(app);
        var outcomes = azurite.Tables.GetTableClient(StorageNames.OutcomesTable);

        var (status, body) = await SendAsync(app, HttpMethod.Put, $"/api/studies/{study}/dyads/d-001/outcome", "{\"employed\":true,\"date\":\"2026-05-01\",\"daysWorked\":80,\"tenureDays\":90}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(90, body["tenureDays"]!.GetValue<int>());
        var row = (await outcomes.GetEntityAsync<OutcomeEntity>(study, "d-001")).Value;
        Assert.Equal((80, 90), (row.DaysWorked, row.TenureDays));

        foreach (var (json, says) in new[]
        {
            ("{\"employed\":false,\"daysWorked\":183}", "daysWorked 183 is more than the study's follow-up of 182 days"),
            ("{\"employed\":false,\"daysWorked\":2.5}", "\"daysWorked\" must be a whole number of days"),
            ("{\"employed\":false,\"tenureDays\":3}", "tenureDays is given but employed is no"),
            ("{\"employed\":true,\"date\":\"2026-07-01\",\"tenureDays\":40}", "tenureDays 40 is more than the 31 days from the job date 2026-07-01"),
            ("{\"employed\":false,\"daysWorked\":-1}", "daysWorked -1 is negative"),
        })
        {
            (status, body) = await SendAsync(app, HttpMethod.Put, $"/api/studies/{study}/dyads/d-002/outcome", json);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains(says, body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        (status, body) = await SendAsync(app, HttpMethod.Post, $"/api/studies/{study}/outcomes", "dyad,employed,date,daysWorked,tenureDays\nd-002,no,,12,\nd-003,yes,2026-06-01,30,x\n", "text/csv");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(3, body["errors"]![0]!["line"]!.GetValue<int>());
        (status, _) = await SendAsync(app, HttpMethod.Post, $"/api/studies/{study}/outcomes", "dyad,employed,date,daysWorked,tenureDays\nd-002,no,,12,\nd-003,yes,2026-06-01,30,30\n", "text/csv");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal((12, (int?)null), ((await outcomes.GetEntityAsync<OutcomeEntity>(study, "d-002")).Value.DaysWorked, (await outcomes.GetEntityAsync<OutcomeEntity>(study, "d-002")).Value.TenureDays));
    }
}
