using System.Net;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace AlliancePipeline.Functions.Tests.Http;

/// <summary>Accept-Language read as a typed header: the best language the raters' pages are written in, by q-value, then order.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AcceptLanguageTests(AzuriteFixture azurite)
{
    private static string? Best(string? header, string? query = null)
    {
        var context = new DefaultHttpContext();
        if (header is not null) context.Request.Headers.AcceptLanguage = header;
        if (query is not null) context.Request.QueryString = new QueryString(query);
        return RaterAnswers.Language(context.Request);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("fr", "fr")]
    [InlineData("fr-CA;q=0.9, en;q=0.1", "fr-CA")]
    [InlineData("de, fr;q=0.8", "fr")]                // the first is not a language of the pages: the best that is
    [InlineData("fr;q=0.1, en", "en")]                // q, not the order written
    [InlineData("en;q=0.5, fr;q=0.5", "en")]          // among equals, the order written
    [InlineData("fr;q=0, en-GB;q=0.2", "en-GB")]      // q=0: not acceptable
    [InlineData("*", null)]
    [InlineData("de, es", null)]
    [InlineData("<script>", null)]
    [InlineData(";;;,,,", null)]
    public void The_best_supported_language_by_q_then_order(string? header, string? expected)
    {
        Assert.Equal(expected, Best(header));
    }

    [Fact]
    public void The_language_asked_for_in_the_link_comes_first()
    {
        Assert.Equal("en", Best("fr", "?lang=en"));
        Assert.Equal("fr", Best("en", "?lang=%20fr%20"));
        Assert.True(PageLanguages.Supports("fr-CA"));
        Assert.True(PageLanguages.Supports("EN"));
        Assert.False(PageLanguages.Supports("de"));
    }

    [Theory]
    [InlineData("de, fr;q=0.8", "fr", "Ce lien ne fonctionne pas")]
    [InlineData("fr;q=0.2, en;q=0.9", "en", "This link does not work")]
    public async Task A_refused_link_s_page_is_in_the_best_language_the_browser_accepts(string header, string lang, string title)
    {
        await using var app = await TestApp.StartAsync(azurite);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/q/not-a-token");
        request.Headers.TryAddWithoutValidation("Accept-Language", header);
        using var response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains($"<html lang=\"{lang}\">", html, StringComparison.Ordinal);
        Assert.Contains(title, html, StringComparison.Ordinal);
    }
}
