using System.Net;
using System.Text.RegularExpressions;
using AlliancePipeline.LocalHost.Tests.Infrastructure;

namespace AlliancePipeline.LocalHost.Tests;

/// <summary>
/// The host's home page is rendered as the worker's pages are: the worker's one layout (language, viewport, title, a
/// <c>main</c>) with the worker's one stylesheet inlined once, the files in <c>src/AlliancePipeline.Functions/Infrastructure/Pages</c>
/// linked into the host rather than copied.
/// </summary>
[Collection(SharedHostCollection.Name)]
public sealed class HomePageTests(LocalHostFixture fixture)
{
    [Fact]
    public async Task The_home_page_is_in_the_worker_s_layout_with_the_worker_s_stylesheet_inlined_once()
    {
        using var page = await fixture.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.StartsWith("<!doctype html>\n<html lang=\"en\">", html, StringComparison.Ordinal);
        Assert.Contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">", html, StringComparison.Ordinal);
        Assert.Contains("<title>Function app: Running</title>", html, StringComparison.Ordinal);
        Assert.Contains("<body class=\"host\">\n<main>\n<h1>", html, StringComparison.Ordinal);
        Assert.Equal(1, Regex.Count(html, "<style>"));
        Assert.Equal(1, Regex.Count(html, "<main>"));

        var style = Regex.Match(html, "<style>\n(.*)</style>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Equal(await File.ReadAllTextAsync(Repository("src", "AlliancePipeline.Functions", "Infrastructure", "Pages", "pages.css")), style);
        Assert.Contains(".host main{", style, StringComparison.Ordinal);
    }

    /// <summary>A file of the repository, found from the test's folder upwards.</summary>
    private static string Repository(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AlliancePipeline.sln"))) return Path.Combine([dir.FullName, .. parts]);
        }
        throw new FileNotFoundException($"No AlliancePipeline.sln above {AppContext.BaseDirectory}.");
    }
}
