using System.Collections.Immutable;
using System.Text.RegularExpressions;
using AlliancePipeline.Contracts.Api;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Dashboards;
using AlliancePipeline.Functions.Dyads;
using AlliancePipeline.Functions.Infrastructure.Pages;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Reports;
using AlliancePipeline.Functions.Tests.Reports;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Microsoft.Extensions.DependencyInjection;

namespace AlliancePipeline.Functions.Tests.Pages;

/// <summary>
/// <see cref="PageRenderer"/> and the pages it renders, without the app: every template embedded and parsed when the
/// renderer is built, one that is missing or broken refused there, by name; every page in the one layout with the one
/// stylesheet inlined once; values that carry markup written as text, in elements and in attributes; and no page markup
/// or CSS left in C# strings under src/ and tools/.
/// </summary>
public sealed partial class PageRendererTests
{
    private static readonly HtmlParser Parser = new();

    /// <summary>Markup, quotes and a formula, as a study's names, codes or keys could carry them.</summary>
    private const string Hostile = "<script>alert('x')</script> \"><img src=x onerror=alert(1)> & <b>bold</b> +1 é";

    private static readonly DateTimeOffset Now = new(2026, 3, 18, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Every kind of page the worker renders, each with hostile values wherever the page shows one.</summary>
    public static TheoryData<string> Pages() => new(Rendered.Keys);

    private static readonly Dictionary<string, Func<string>> Rendered = new(StringComparer.Ordinal)
    {
        ["form"] = () => QuestionnairePage.RenderForm(HostileView(errors: false)),
        ["form with errors"] = () => QuestionnairePage.RenderForm(HostileView(errors: true)),
        ["message"] = () => QuestionnairePage.RenderMessage(MessagePage.Expired, "fr"),
        ["pause"] = () => PausePage.Render(PauseView.Confirm, "en", Hostile, 2),
        ["dashboard"] = () => DashboardPage.Render(HostileDashboard()),
        ["dashboard message"] = () => DashboardPage.RenderMessage(Hostile, Hostile, keyForm: true),
        ["dashboard in French"] = () => DashboardPage.Render(HostileDashboard() with { Language = "fr" }),
        ["dyad"] = () => DyadPage.Render(HostileDyad("en")),
        ["dyad in French"] = () => DyadPage.Render(HostileDyad("fr")),
        ["report"] = () => new StudyReportBuilder().Build(ReportFixtures.PaperLikeInput() with { StudyName = Hostile })["report.html"].Content,
    };

    private static IDocument Page(string name) => Parser.ParseDocument(Rendered[name]());

    [Fact]
    public void Every_page_template_of_the_worker_is_embedded_and_parsed_when_the_renderer_is_built_at_start()
    {
        var renderer = PageTemplates.Renderer;
        Assert.Equal(PageTemplates.All.Order(StringComparer.Ordinal), renderer.Templates.Order(StringComparer.Ordinal));
        Assert.Equal(7, renderer.Templates.Count);
        // Every page template embedded is one the renderer holds: none is left out of the start-up check.
        var embedded = typeof(PageTemplates).Assembly.GetManifestResourceNames()
            .Where(n => n.EndsWith(".liquid", StringComparison.Ordinal) && (n.StartsWith("Pages.", StringComparison.Ordinal) || n.Contains(".Reports.", StringComparison.Ordinal)))
            .Where(n => n != PageRenderer.LayoutResource)
            // reproduce.R is a Liquid template too, but an R script, not a page (Reports/ReproduceScript renders it).
            .Where(n => !n.EndsWith(".reproduce.R.liquid", StringComparison.Ordinal));
        Assert.Equal(embedded.Order(StringComparer.Ordinal), renderer.Templates.Order(StringComparer.Ordinal));
        // The worker's registration builds it (AddAlliancePipeline calls AddPages): registering is what parses them at start.
        var services = new ServiceCollection().AddPages();
        Assert.Same(renderer, services.BuildServiceProvider().GetRequiredService<PageRenderer>());
    }

    [Fact]
    public void A_template_that_is_not_embedded_or_does_not_parse_stops_the_renderer_from_being_built_and_is_named()
    {
        var missing = Assert.Throws<InvalidOperationException>(() => new PageRenderer(typeof(PageTemplates).Assembly, [PageTemplates.All[0], "Pages.Nowhere.page.liquid"]));
        Assert.Contains("Pages.Nowhere.page.liquid", missing.Message, StringComparison.Ordinal);
        Assert.Contains("not embedded", missing.Message, StringComparison.Ordinal);

        var broken = Assert.Throws<InvalidOperationException>(() => PageRenderer.Parse("<h1>{{ Title </h1>{% if x %}", "Pages.Broken.page.liquid"));
        Assert.Contains("Pages.Broken.page.liquid", broken.Message, StringComparison.Ordinal);
        Assert.Contains("does not parse", broken.Message, StringComparison.Ordinal);

        var unknown = Assert.Throws<ArgumentException>(() => PageTemplates.Renderer.Render("Pages.Nowhere.page.liquid", new { }, "en", "t", PageRenderer.Kind.Rater));
        Assert.Contains("Pages.Nowhere.page.liquid", unknown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_page_is_in_the_one_layout_with_the_stylesheet_inlined_once(string name)
    {
        var html = Rendered[name]();
        Assert.StartsWith("<!doctype html>\n<html lang=\"", html, StringComparison.Ordinal);
        var page = Parser.ParseDocument(html);
        Assert.False(string.IsNullOrEmpty(page.DocumentElement.GetAttribute("lang")));
        Assert.Equal("utf-8", page.QuerySelector("meta[charset]")!.GetAttribute("charset"));
        Assert.Equal("width=device-width, initial-scale=1", page.QuerySelector("meta[name=viewport]")!.GetAttribute("content"));
        Assert.Equal("noindex", page.QuerySelector("meta[name=robots]")!.GetAttribute("content"));
        Assert.False(string.IsNullOrWhiteSpace(page.Title));
        Assert.Single(page.QuerySelectorAll("main"));
        Assert.Same(page.Body, page.QuerySelector("main")!.ParentElement);
        Assert.Single(page.QuerySelectorAll("h1"));
        Assert.Contains(page.Body!.ClassName, new[] { "rater", "dashboard", "report" });

        // One style element, in the head, holding the one stylesheet, whole; no other style, script or outside request.
        var style = Assert.Single(page.QuerySelectorAll("style"));
        Assert.Same(page.Head, style.ParentElement);
        Assert.Equal(PageTemplates.Renderer.Stylesheet.Trim(), style.TextContent.Trim());
        Assert.Equal(1, Regex.Count(html, Regex.Escape(FirstRule())));
        Assert.Equal(1, Regex.Count(html, "<style", RegexOptions.IgnoreCase));
        Assert.Empty(page.QuerySelectorAll("script, link, iframe, object, img, [src]"));
        Assert.All(page.QuerySelectorAll("[style]"), e => Assert.Equal("bar", e.ClassName));
    }

    [Fact]
    public void The_stylesheet_is_the_file_in_Infrastructure_Pages_and_styles_each_kind_of_page_under_its_body_class()
    {
        var file = File.ReadAllText(ReportFixtures.Find("src", "AlliancePipeline.Functions", "Infrastructure", "Pages", "pages.css"));
        Assert.Equal(file, PageTemplates.Renderer.Stylesheet);
        foreach (var kind in Enum.GetNames<PageRenderer.Kind>())
            Assert.Contains("." + kind.ToLowerInvariant() + " ", file, StringComparison.Ordinal);
        Assert.Equal("rater", Page("form").Body!.ClassName);
        Assert.Equal("rater", Page("pause").Body!.ClassName);
        Assert.Equal("dashboard", Page("dashboard message").Body!.ClassName);
        Assert.Equal("report", Page("report").Body!.ClassName);
    }

    [Fact]
    public void Markup_in_the_questionnaire_s_values_is_text_in_the_page_and_in_its_attributes()
    {
        var page = Page("form with errors");
        AssertNoInjectedMarkup(page);
        Assert.Equal("Error: " + Hostile, page.Title);
        Assert.Equal(Hostile, page.QuerySelector("h1")!.TextContent);
        Assert.Equal("About your work with " + Hostile + ", after meeting 2.", page.QuerySelector(".about")!.TextContent);
        Assert.Equal("Statement 1 of 2" + Hostile, page.QuerySelector("legend")!.TextContent);
        Assert.Equal("1" + Hostile, page.QuerySelector("fieldset label")!.TextContent);
        Assert.Equal("Error: " + Hostile, page.QuerySelector("#error-item-1")!.TextContent);
        Assert.Equal(["#item-1-1", null], page.QuerySelectorAll("#error-summary li").Select(li => li.QuerySelector("a")?.GetAttribute("href")));
        Assert.Equal(Hostile, page.QuerySelectorAll("#error-summary li")[1].TextContent);
        Assert.Equal("6", page.QuerySelector("input[name=item-2][checked]")!.GetAttribute("value"));
        Assert.Equal("error-item-1", page.QuerySelector("input[name=item-1]")!.GetAttribute("aria-describedby"));
    }

    [Fact]
    public void Markup_in_the_dashboard_s_names_and_codes_is_text_in_the_page_and_in_its_links_and_forms()
    {
        var page = Page("dashboard");
        AssertNoInjectedMarkup(page);
        Assert.Equal($"Completion: {Hostile} (all sites)", page.Title);
        Assert.Equal("Completion: " + Hostile, page.QuerySelector("h1")!.TextContent);
        Assert.Equal($"Alert {Hostile} closed.", page.QuerySelector(".status")!.TextContent);
        Assert.Equal("completion", page.QuerySelector("nav a")!.GetAttribute("href"));
        Assert.Equal("dashboard?site=site-a", page.QuerySelector("#t-site tbody a")!.GetAttribute("href"));
        Assert.Equal(Hostile, page.QuerySelector("#t-site tbody a")!.TextContent);
        Assert.Equal($"d-{Hostile}, meeting 1 practitioner p-1, {Hostile}", page.QuerySelector("#t-alerts tbody th")!.TextContent);
        var form = page.QuerySelector("#t-alerts form")!;
        Assert.Equal($"alerts/{Uri.EscapeDataString("a1 " + Hostile)}/close", form.GetAttribute("action"));
        Assert.Equal($"Close the alert of d-{Hostile}, meeting 1, practitioner", form.QuerySelector("button")!.GetAttribute("aria-label"));
    }

    [Fact]
    public void Markup_in_a_message_or_the_pause_page_is_text()
    {
        var message = Page("dashboard message");
        AssertNoInjectedMarkup(message);
        Assert.Equal(Hostile, message.Title);
        Assert.Equal(Hostile, message.QuerySelector("h1")!.TextContent);
        Assert.Equal(Hostile, message.QuerySelector("#message")!.TextContent);
        Assert.Equal("get", message.QuerySelector("form.keyform")!.GetAttribute("method"));

        var pause = Page("pause");
        AssertNoInjectedMarkup(pause);
        Assert.Contains($"your work with {Hostile} after meeting 2.", pause.QuerySelector("#message")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("post", pause.QuerySelector("form")!.GetAttribute("method"));
    }

    [Fact]
    public void Pages_markup_and_CSS_live_in_templates_not_in_CSharp_strings_of_src_and_tools()
    {
        var root = Path.GetDirectoryName(ReportFixtures.Find("AlliancePipeline.sln"))!;
        var sources = new[] { "src", "tools" }.SelectMany(folder => Directory.EnumerateDirectories(Path.Combine(root, folder)))
            .Where(project => Directory.EnumerateFiles(project, "*.csproj").Any())
            .SelectMany(project => Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            // The report's SVG figures are drawn in code on purpose (docs/architecture.md: hand-written where no library is right).
            .Where(f => Path.GetFileName(f) is not ("TrajectoryFigure.cs" or "DendrogramFigure.cs" or "KaplanMeierFigure.cs"))
            .ToList();
        Assert.True(sources.Count > 100, $"only {sources.Count} files under src/ and tools/");
        var found = sources.SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line.Trim())))
            .Where(l => !l.Text.StartsWith("//", StringComparison.Ordinal) && Markup().IsMatch(l.Text))
            .Select(l => $"{Path.GetRelativePath(root, l.File)}:{l.Line}: {l.Text}")
            .ToList();
        Assert.True(found.Count == 0, "markup or CSS in C# strings:\n" + string.Join('\n', found));
    }

    /// <summary>
    /// An element in a C# string (<c>"&lt;div</c>, <c>"… &lt;p class=</c>), a <c>style=</c> attribute, or a CSS rule
    /// anywhere in code (<c>{color:</c>, <c>{margin:</c>: raw string literals hold CSS without a quote on the line).
    /// </summary>
    [GeneratedRegex("""
        "[^"]*<(!doctype|html|head|body|main|div|p|span|a|h[1-6]|ul|ol|li|dl|dt|dd|table|thead|tbody|tr|th|td|caption|form|fieldset|legend|label|input|button|section|header|nav|footer|style|meta|title|code|strong|br)[\s>/"]|style=|\{\s*(--[a-z-]+|color|background|margin|padding|font|display|border|width|height|max-width|min-height|position|text-align|outline|overflow|box-sizing|line-height|list-style|gap|grid-template-columns|flex)[a-z-]*\s*:
        """, RegexOptions.IgnoreCase)]
    private static partial Regex Markup();

    private static string FirstRule() => PageTemplates.Renderer.Stylesheet.Split('\n').First(l => l.StartsWith(":root", StringComparison.Ordinal));

    private static void AssertNoInjectedMarkup(IDocument page)
    {
        Assert.Empty(page.QuerySelectorAll("script, img, b, [onerror]"));
        Assert.DoesNotContain("<script", page.Source.Text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", page.Source.Text, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A two-item form whose title, instructions, items, anchors and dyad code carry markup; item 1 refused, item 2 kept.</summary>
    private static QuestionnaireView HostileView(bool errors)
    {
        var form = new InstrumentForm("x", "1", "en", Hostile, Hostile,
            [new FormItem("1", 1, "item-1", Hostile), new FormItem("2", 2, "item-2", Hostile)],
            Enumerable.Range(1, 7).Select(v => new FormAnchor(v, v == 1 ? Hostile : null)).ToImmutableArray(), Hostile);
        return errors
            ? new QuestionnaireView(form, Hostile, 2, new Dictionary<string, int> { ["2"] = 6 }, new Dictionary<string, string> { ["1"] = Hostile, ["other"] = Hostile })
            : new QuestionnaireView(form, Hostile, 2, new Dictionary<string, int>(), new Dictionary<string, string>());
    }

    /// <summary>A study, site, dyad, arm, alert and key that all carry markup; one overdue form and one open alert.</summary>
    private static DashboardView HostileDashboard()
    {
        AssessmentEntity[] rows =
        [
            new() { PartitionKey = "s", RowKey = "a1 " + Hostile, SiteId = "site-a", DyadId = "d-" + Hostile, Meeting = 1, RaterRole = "practitioner", RaterId = "p-1",
                Arm = Hostile, Status = "Pending", MeetingDate = Now.AddDays(-10), DueDate = Now.AddDays(-3), RemindersSent = 1, LastReminderAt = Now.AddDays(-1) },
        ];
        AlertEntity[] alerts =
        [
            new() { PartitionKey = "s", RowKey = "a1 " + Hostile, SiteId = "site-a", DyadId = "d-" + Hostile, RaterId = "p-1", RaterRole = "practitioner", Meeting = 1,
                Kinds = "below", Current = 3.0, Cutoff = 3.5, RaisedAt = Now.AddDays(-2) },
        ];
        var report = CompletionReport.Build(new CompletionInput("s", Hostile, null, new Dictionary<string, string> { ["site-a"] = Hostile }, rows, alerts), Now);
        return new DashboardView(report, AllSitesVisible: true, CanCloseAlerts: true, ClosedAlert: Hostile);
    }

    /// <summary>A dyad page whose study, site, dyad, arm, rater and message carry markup: a pending form (paused) and an answered one.</summary>
    private static DyadView HostileDyad(string language)
    {
        DyadForm[] forms =
        [
            new("a1", "practitioner", "p-" + Hostile, "pending", Now.AddDays(-10), DateOnly.FromDateTime(Now.AddDays(-3).UtcDateTime), true,
                Now.AddDays(-10), 1, Now.AddDays(-1), true, 2, Now.AddDays(20), false, null),
            new("a2", "client", "c-" + Hostile, "submitted", Now.AddDays(-10), DateOnly.FromDateTime(Now.AddDays(-3).UtcDateTime), false,
                Now.AddDays(-10), 0, null, false, 1, Now.AddDays(20), false, Now.AddDays(-5)),
        ];
        var schedule = new DyadSchedule("s", Hostile, "d-" + Hostile, "site-a", Hostile, Hostile, new DateOnly(2026, 1, 12), false, null, null,
            [new DyadMeeting(1, new DateOnly(2026, 3, 8), true, forms)]);
        // Covariates whose label and level are hostile text: the form's labels, options and values are text too.
        StudyCovariate[] declared =
        [
            new("education", CovariateType.Categorical, [Hostile, "tertiary"]) { Label = Hostile },
            new("age", CovariateType.Numeric, [], 18, 70),
        ];
        return new DyadView(schedule, language, Done: "pause", Error: Hostile)
        {
            Covariates = new DyadCovariateValues(declared, new Dictionary<string, CovariateValue> { ["education"] = CovariateValue.OfLevel(Hostile) }),
        };
    }
}
