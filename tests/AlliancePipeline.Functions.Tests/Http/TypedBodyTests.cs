using System.Net;
using System.Text;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Keys;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AngleSharp.Html.Parser;

namespace AlliancePipeline.Functions.Tests.Http;

/// <summary>
/// Bodies read by the framework: JSON into records (source-generated), checked whole first so a lone surrogate anywhere is
/// "not JSON", a wrong shape naming its field; forms through ASP.NET Core's form reader.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TypedBodyTests(AzuriteFixture azurite)
{
    [Theory]
    [InlineData("{\"employed\":true,\"x\":{\"a\\udc00\":[\"\\ud800\"]}}", JsonBodyProblem.NotJson, null)]  // in a property the record does not name
    [InlineData("[true]", JsonBodyProblem.NotAnObject, null)]
    [InlineData("null", JsonBodyProblem.NotAnObject, null)]
    [InlineData("{\"employed\":\"yes\"}", JsonBodyProblem.WrongShape, "employed")]
    [InlineData("{\"employed\":true,\"date\":5}", JsonBodyProblem.WrongShape, "date")]
    [InlineData("{\"Employed\":true}", JsonBodyProblem.None, null)]                                   // read, but Employed is not employed
    public void A_JSON_body_is_read_into_its_record_or_says_what_is_wrong(string json, JsonBodyProblem problem, string? field)
    {
        var body = JsonBody.Read(json, BodyJson.Default.OutcomeBody);
        Assert.Equal((problem, field), (body.Problem, body.Field));
        if (problem == JsonBodyProblem.None) Assert.Null(body.Value!.Employed);
    }

    [Fact]
    public void Names_are_decoded_and_kept_in_order_with_repeats_and_strings_decoded()
    {
        var body = JsonBody.Read("{\"\\u0072ole\":\"admin\",\"label\":\"\\ud83d\\ude00 ok\",\"role\":\"study\"}", BodyJson.Default.KeyRequest);
        Assert.Equal(["role", "label", "role"], body.Names);
        Assert.True(body.IsRead);
        Assert.Equal(("study", "\U0001F600 ok"), (body.Value.Role, body.Value.Label));
        Assert.Equal(JsonBodyProblem.WrongShape, JsonBody.Read("{\"validDays\":1.5}", BodyJson.Default.KeyRequest).Problem);
        Assert.Equal(["role", "studyId", "siteId", "label", "validDays"], KeyRequest.Fields);
    }

    [Fact]
    public void Answers_are_counted_before_their_kind_is_checked()
    {
        var body = JsonBody.Read("{\"items\":[\"x\",1.5,null,[1],7,2147483648]}", BodyJson.Default.AnswersBody);
        Assert.True(body.IsRead);
        Assert.Equal([null, null, null, null, 7, null], body.Value.Items!.Select(i => i.Value));
        Assert.Null(JsonBody.Read("{}", BodyJson.Default.AnswersBody).Value!.Items);
        var bad = JsonBody.Read("{\"items\":\"x\"}", BodyJson.Default.AnswersBody);
        Assert.Equal((JsonBodyProblem.WrongShape, "items"), (bad.Problem, bad.Field));
    }

    [Fact]
    public async Task A_form_the_reader_refuses_is_a_form_without_answers_and_repeated_names_are_all_read()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var links = await app.SeedAsync(AzuriteFixture.UniqueName("form"), 1, 1);
        using var nul = await app.Client.PostAsync($"/api/q/{links[0].Token}", new StringContent("item-1=5%00&item-2=5", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.BadRequest, nul.StatusCode);
        var page = new HtmlParser().ParseDocument(await nul.Content.ReadAsStringAsync());
        Assert.Equal(12, page.QuerySelectorAll("form fieldset").Length);
        Assert.Equal(12, page.QuerySelectorAll("li a[href^='#item-']").Length);

        // Two different answers to one statement: refused as before, the form shown again with the error beside it.
        using var twice = await app.Client.PostAsync($"/api/q/{links[0].Token}", new StringContent(
            string.Join('&', Enumerable.Range(1, 12).Select(i => $"item-{i}=4")) + "&item-3=5", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
        var form = new HtmlParser().ParseDocument(await twice.Content.ReadAsStringAsync());
        Assert.Equal(["#item-3-1"], form.QuerySelectorAll("li a[href^='#item-']").Select(a => a.GetAttribute("href")));
    }
}
