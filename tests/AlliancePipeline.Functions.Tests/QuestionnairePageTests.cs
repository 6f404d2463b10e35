using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Links;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Scoring;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace AlliancePipeline.Functions.Tests;

/// <summary>
/// The questionnaire page served by the <c>Questionnaire</c> function class on a real Azurite: its structure (parsed
/// with AngleSharp), its language, validation with answers kept, Post/Redirect/Get, the polite second-submission
/// refusal, and the pages of refused links, none of which reaches the queue. Nothing consumes the queue here.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class QuestionnairePageTests(AzuriteFixture azurite)
{
    private static readonly HtmlParser Parser = new();

    /// <summary>The app and a client that does not follow redirects, so a 303 is seen as such.</summary>
    private sealed class Session(TestApp app) : IAsyncDisposable
    {
        public TestApp App { get; } = app;

        public HttpClient Client => App.Client;

        public static async Task<Session> StartAsync(AzuriteFixture azurite) => new(await TestApp.StartAsync(azurite));

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    private static Task<IReadOnlyList<SeededLink>> SeedAsync(TestApp app, string study, string language = "en", int dyads = 1) =>
        app.SeedAsync(study, dyads, 1, language);

    private static async Task<(HttpStatusCode Status, IDocument Page, HttpResponseMessage Response)> SendAsync(HttpClient client, HttpMethod method, string url, string? form = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (form is not null) request.Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
        var response = await client.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, await Parser.ParseDocumentAsync(html), response);
    }

    private static string Form(IEnumerable<(int Item, int Value)> answers) => string.Join('&', answers.Select(a => $"item-{a.Item}={a.Value}"));

    private static string AllAnswered(int value) => Form(Enumerable.Range(1, 12).Select(i => (i, value)));

    private async Task<string?> QueuedForAsync(string study) =>
        await QueueScan.TakeAsync(azurite.Queues.GetQueueClient(StorageNames.ResponsesQueue), t => t.Contains($"\"studyId\":\"{study}\"", StringComparison.Ordinal), TimeSpan.FromSeconds(2));

    [Fact]
    public async Task The_form_shows_every_item_as_a_labelled_radio_group_with_the_scale_anchors_and_what_it_is_about()
    {
        await using var session = await Session.StartAsync(azurite);
        var (app, client) = (session.App, session.Client);
        var links = await SeedAsync(app, AzuriteFixture.UniqueName("page"));

        var (status, page, response) = await SendAsync(client, HttpMethod.Get, $"/api/q/{links[0].Token}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        Assert.Equal("en", page.DocumentElement.GetAttribute("lang"));
        Assert.Equal("width=device-width, initial-scale=1", page.QuerySelector("meta[name=viewport]")!.GetAttribute("content"));
        Assert.Contains("dyad-01", page.QuerySelector(".about")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("meeting 1", page.QuerySelector(".about")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(page.QuerySelectorAll("script"));

        var fieldsets = page.QuerySelectorAll("form fieldset");
        Assert.Equal(12, fieldsets.Length);
        foreach (var fieldset in fieldsets)
        {
            var legend = fieldset.QuerySelector("legend");
            Assert.NotNull(legend);
            Assert.True(legend.TextContent.Length > 20, $"legend '{legend.TextContent}' carries the item text");
            var radios = fieldset.QuerySelectorAll("input[type=radio]");
            Assert.Equal(7, radios.Length);
            Assert.Single(radios.Select(r => r.GetAttribute("name")).Distinct());
            foreach (var radio in radios)
            {
                var label = page.QuerySelector($"label[for='{radio.Id}']");
                Assert.NotNull(label);
                Assert.Same(label, radio.ParentElement);
                Assert.Null(radio.GetAttribute("required"));
            }
        }
        var firstLabels = fieldsets[0].QuerySelectorAll("label").Select(l => l.TextContent).ToList();
        Assert.Equal("1Never", firstLabels[0]);
        Assert.Equal("7Always", firstLabels[6]);
        Assert.Equal("Send my answers", page.QuerySelector("form button[type=submit]")!.TextContent);
        // The instrument's copyright and permission note is for researchers, not shown to raters.
        Assert.Null(page.QuerySelector("footer"));
        Assert.DoesNotContain("permission", page.Body!.TextContent, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("copyright", page.Body!.TextContent, StringComparison.OrdinalIgnoreCase);
        // Each statement is named on the form as the error summary names it.
        Assert.StartsWith("Statement 4 of 12", fieldsets[3].QuerySelector("legend .num")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_rater_s_language_is_used_and_lang_overrides_it()
    {
        await using var session = await Session.StartAsync(azurite);
        var (app, client) = (session.App, session.Client);
        var links = await SeedAsync(app, AzuriteFixture.UniqueName("lang"), language: "fr");

        var (_, french, _) = await SendAsync(client, HttpMethod.Get, $"/api/q/{links[0].Token}");
        Assert.Equal("fr", french.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Envoyer mes réponses", french.QuerySelector("button")!.TextContent);
        Assert.Equal("1Jamais", french.QuerySelector("fieldset label")!.TextContent);
        Assert.Contains("rencontre 1", french.QuerySelector(".about")!.TextContent, StringComparison.Ordinal);

        var (_, english, _) = await SendAsync(client, HttpMethod.Get, $"/api/q/{links[0].Token}?lang=en");
        Assert.Equal("en", english.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Send my answers", english.QuerySelector("button")!.TextContent);
        Assert.Equal("?lang=fr", english.QuerySelector(".lang a")!.GetAttribute("href"));
    }

    [Fact]
    public async Task A_refused_post_comes_back_with_errors_beside_the_items_and_the_answers_kept_and_nothing_is_queued()
    {
        await using var session = await Session.StartAsync(azurite);
        var (app, client) = (session.App, session.Client);
        var study = AzuriteFixture.UniqueName("errors");
        var links = await SeedAsync(app, study);
        // Item 5 unanswered, item 3 off the scale, the rest answered 6.
        var answers = Enumerable.Range(1, 12).Where(i => i != 5).Select(i => (i, i == 3 ? 9 : 6));

        var (status, page, _) = await SendAsync(client, HttpMethod.Post, $"/api/q/{links[0].Token}", Form(answers));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("Error:", page.Title, StringComparison.Ordinal);
        var summary = page.QuerySelector("#error-summary")!;
        Assert.Equal("alert", summary.GetAttribute("role"));
        Assert.Equal(["#item-3-1", "#item-5-1"], summary.QuerySelectorAll("a").Select(a => a.GetAttribute("href")));
        // The summary names the statements the way the form does ("Statement 3 of 12"), never "Item 3".
        Assert.Equal(["Statement 3: please choose an answer.", "Statement 5: please choose an answer."], summary.QuerySelectorAll("a").Select(a => a.TextContent));
        Assert.DoesNotContain("Item", summary.TextContent, StringComparison.Ordinal);

        foreach (var item in new[] { 3, 5 })
        {
            var error = page.QuerySelector($"#error-item-{item}")!;
            Assert.False(string.IsNullOrWhiteSpace(error.TextContent));
            Assert.Equal($"q-item-{item}", error.ParentElement!.Id);
            Assert.All(page.QuerySelectorAll($"input[name=item-{item}]"), r =>
            {
                Assert.Equal("true", r.GetAttribute("aria-invalid"));
                Assert.Equal($"error-item-{item}", r.GetAttribute("aria-describedby"));
            });
        }
        Assert.Contains("Please choose an answer", page.QuerySelector("#error-item-5")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Please choose an answer", page.QuerySelector("#error-item-3")!.TextContent, StringComparison.Ordinal);

        var kept = page.QuerySelectorAll("input[type=radio][checked]").Select(r => r.GetAttribute("name")).ToList();
        Assert.Equal(Enumerable.Range(1, 12).Where(i => i is not (3 or 5)).Select(i => $"item-{i}"), kept);
        Assert.All(page.QuerySelectorAll("input[type=radio][checked]"), r => Assert.Equal("6", r.GetAttribute("value")));
        Assert.Null(await QueuedForAsync(study));
    }

    [Fact]
    public async Task A_good_post_redirects_to_the_thank_you_page_and_a_second_post_is_refused_politely_with_one_message_queued()
    {
        await using var session = await Session.StartAsync(azurite);
        var (app, client) = (session.App, session.Client);
        var study = AzuriteFixture.UniqueName("thanks");
        var links = await SeedAsync(app, study, language: "fr");
        var url = $"/api/q/{links[0].Token}";

        var (status, _, response) = await SendAsync(client, HttpMethod.Post, url, AllAnswered(5));
        Assert.Equal(HttpStatusCode.SeeOther, status);
        Assert.Equal("?done=1&lang=fr", response.Headers.Location!.OriginalString);

        var (thanksStatus, thanks, _) = await SendAsync(client, HttpMethod.Get, url + "?done=1&lang=fr");
        Assert.Equal(HttpStatusCode.OK, thanksStatus);
        Assert.Equal("Merci", thanks.QuerySelector("h1")!.TextContent);

        // The double click: the same answers again, and then other answers. Both refused; the first stands.
        var (again, refused, _) = await SendAsync(client, HttpMethod.Post, url, AllAnswered(5));
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal("Déjà répondu", refused.QuerySelector("h1")!.TextContent);
        (again, _, _) = await SendAsync(client, HttpMethod.Post, url, AllAnswered(2));
        Assert.Equal(HttpStatusCode.Conflict, again);
        var (reopened, _, _) = await SendAsync(client, HttpMethod.Get, url);
        Assert.Equal(HttpStatusCode.Conflict, reopened);

        var queued = await QueuedForAsync(study);
        Assert.NotNull(queued);
        Assert.Equal(Enumerable.Repeat(5, 12), SubmissionMessage.TryParse(queued, out _)!.Items);
        Assert.Null(await QueuedForAsync(study));
        var stored = await app.Services.GetRequiredService<StudyTables>().FindAssessmentAsync(study, links[0].Assessment.Id, default);
        Assert.Equal(AssessmentStatus.Submitted, stored!.Value.Assessment.Status);
    }

    [Fact]
    public async Task Tampered_unknown_expired_revoked_and_withdrawn_links_get_their_pages_and_never_reach_the_queue()
    {
        await using var session = await Session.StartAsync(azurite);
        var (app, client) = (session.App, session.Client);
        var study = AzuriteFixture.UniqueName("badlinks");
        var links = await SeedAsync(app, study, dyads: 3);
        var tokens = new CoreLinkTokens(LinkSigningKeys.FromSettings("test=" + TestApp.SigningKey, "test"));
        var now = DateTimeOffset.UtcNow;
        var good = links[0].Token;
        var tampered = good[..8] + (good[8] == 'A' ? 'B' : 'A') + good[9..];
        var unknown = tokens.Issue(new LinkClaims(study, "no-such-assessment", 1, now.AddDays(1)));
        var expired = tokens.Issue(new LinkClaims(study, links[0].Assessment.Id, 1, now.AddMinutes(-1)));
        var assessments = azurite.Tables.GetTableClient(StorageNames.AssessmentsTable);
        await assessments.UpsertEntityAsync(new TableEntity(study, links[1].Assessment.Id) { ["LinkVersion"] = 2 }, TableUpdateMode.Merge);
        await assessments.UpsertEntityAsync(new TableEntity(study, links[2].Assessment.Id) { ["Status"] = nameof(AssessmentStatus.Withdrawn) }, TableUpdateMode.Merge);

        (string Token, HttpStatusCode Status, string Heading)[] cases =
        [
            (tampered, HttpStatusCode.NotFound, "This link does not work"),
            ("not-a-token", HttpStatusCode.NotFound, "This link does not work"),
            (unknown, HttpStatusCode.NotFound, "This link does not work"),
            (expired, HttpStatusCode.Gone, "This link has expired"),
            (links[1].Token, HttpStatusCode.Gone, "This link is no longer valid"),
            (links[2].Token, HttpStatusCode.Gone, "This link is no longer valid"),
        ];
        foreach (var (token, expected, heading) in cases)
        {
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post })
            {
                var (status, page, response) = await SendAsync(client, method, $"/api/q/{token}?lang=en", method == HttpMethod.Post ? AllAnswered(4) : null);
                Assert.Equal(expected, status);
                Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
                Assert.Equal(heading, page.QuerySelector("h1")!.TextContent);
                Assert.DoesNotContain("Exception", page.Body!.TextContent, StringComparison.Ordinal);
            }

            using var json = new HttpRequestMessage(HttpMethod.Post, $"/api/q/{token}")
            {
                Content = new StringContent("{\"items\":[4,4,4,4,4,4,4,4,4,4,4,4]}", Encoding.UTF8, "application/json"),
            };
            using var problem = await client.SendAsync(json);
            Assert.Equal(expected, problem.StatusCode);
            Assert.Equal("application/problem+json", problem.Content.Headers.ContentType!.MediaType);
            Assert.Equal((int)expected, JsonNode.Parse(await problem.Content.ReadAsStringAsync())!["status"]!.GetValue<int>());
        }
        Assert.Null(await QueuedForAsync(study));

        // The same page in French for a French rater's link.
        var (_, french, _) = await SendAsync(client, HttpMethod.Get, $"/api/q/{expired}?lang=fr");
        Assert.Equal("Ce lien a expiré", french.QuerySelector("h1")!.TextContent);
    }

    [Fact]
    public async Task Refused_JSON_answers_get_problem_details_with_errors_by_field()
    {
        await using var session = await Session.StartAsync(azurite);
        var (app, client) = (session.App, session.Client);
        var study = AzuriteFixture.UniqueName("jsonerr");
        var links = await SeedAsync(app, study);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/q/{links[0].Token}")
        {
            Content = new StringContent("{\"items\":[1,2,3,4,0,6,7,8,1,1,1,1]}", Encoding.UTF8, "application/json"),
        };
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(["item-5", "item-8"], problem["errors"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Null(await QueuedForAsync(study));
    }
}
