using System.Collections.Frozen;
using System.Globalization;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Fluid;

namespace AlliancePipeline.Functions.Infrastructure.Pages;

/// <summary>
/// The one renderer of the app's HTML pages. Each page is a Fluid (Liquid) template embedded beside its feature; it is
/// rendered from a model of plain values (text already formatted, in the invariant culture) and placed in the one layout,
/// <c>layout.liquid</c>, which sets the page's language and title and inlines the one stylesheet, <c>pages.css</c>, in a
/// <c>style</c> element (the pages' Content-Security-Policy allows inline styles only; pages run no script). Every value is
/// HTML-encoded on output by <see cref="Encoder"/>; a template writes a value raw only through the <c>raw</c> filter (the
/// layout's body and stylesheet, the report's SVG figures). The layout, the stylesheet and every template are read and
/// parsed when the renderer is built, at start, so a missing or broken one stops the app there rather than failing a request.
/// </summary>
/// <remarks>
/// This file is compiled into the worker and, linked, into the local host (<c>tools/AlliancePipeline.LocalHost</c>), which
/// renders its home page with the same layout and stylesheet. It therefore declares no accessibility: the worker makes the
/// class public (<c>PageTemplates.cs</c>); in the local host it stays internal.
/// </remarks>
sealed partial class PageRenderer
{
    /// <summary>The resource name of the layout every page is rendered into.</summary>
    public const string LayoutResource = "Pages.layout.liquid";

    /// <summary>The resource name of the stylesheet the layout inlines.</summary>
    public const string StylesheetResource = "Pages.pages.css";

    /// <summary>What a page is, as its <c>body</c>'s class names it: the stylesheet styles each kind under its class.</summary>
    public enum Kind
    {
        /// <summary>A rater's page: the questionnaire, the pause page and their messages (<c>rater</c>).</summary>
        Rater,
        /// <summary>The coordinators' dashboard and its messages (<c>dashboard</c>).</summary>
        Dashboard,
        /// <summary>The study report, <c>report.html</c> (<c>report</c>).</summary>
        Report,
        /// <summary>The local host's home page (<c>host</c>).</summary>
        Host,
    }

    /// <summary>
    /// The HTML encoder of every page and mail: <c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c>, quotes and <c>+</c> become
    /// character references; letters of every script are written as they are.
    /// </summary>
    public static TextEncoder Encoder { get; } = HtmlEncoder.Create(UnicodeRanges.All);

    private static readonly FluidParser Parser = new();

    // Models are the app's own view records, read by reflection; templates are embedded, never supplied by a user.
    private static readonly TemplateOptions Options = new()
    {
        CultureInfo = CultureInfo.InvariantCulture,
        MemberAccessStrategy = new UnsafeMemberAccessStrategy(),
    };

    private readonly IFluidTemplate _layout;
    private readonly FrozenDictionary<string, IFluidTemplate> _templates;

    /// <summary>Reads and parses the layout, the stylesheet and <paramref name="templates"/> (resource names) from <paramref name="assembly"/>.</summary>
    /// <exception cref="InvalidOperationException">One is not embedded, or does not parse; the message names it.</exception>
    public PageRenderer(Assembly assembly, IEnumerable<string> templates)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(templates);
        _layout = Parse(Read(assembly, LayoutResource), LayoutResource);
        Stylesheet = Read(assembly, StylesheetResource);
        _templates = templates.Distinct(StringComparer.Ordinal).ToFrozenDictionary(name => name, name => Parse(Read(assembly, name), name), StringComparer.Ordinal);
    }

    /// <summary>The stylesheet, as the layout inlines it.</summary>
    public string Stylesheet { get; }

    /// <summary>The page templates held (their resource names).</summary>
    public IReadOnlyCollection<string> Templates => _templates.Keys;

    /// <summary>
    /// The page of <paramref name="template"/> with <paramref name="model"/> (its properties are the template's variables),
    /// in the layout, with <paramref name="language"/> on <c>html</c> and <paramref name="title"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="template"/> is not one this renderer holds.</exception>
    public string Render(string template, object model, string language, string title, Kind kind)
    {
        ArgumentNullException.ThrowIfNull(model);
        var page = _templates.TryGetValue(template, out var parsed)
            ? parsed
            : throw new ArgumentException($"The page template {template} is not one this renderer holds.", nameof(template));
        var body = page.Render(new TemplateContext(model, Options), Encoder);
        var layout = new TemplateContext(Options);
        layout.SetValue("lang", language);
        layout.SetValue("title", title);
        layout.SetValue("kind", kind.ToString().ToLowerInvariant());
        layout.SetValue("stylesheet", Stylesheet);
        layout.SetValue("body", body.Trim());
        return _layout.Render(layout, Encoder);
    }

    /// <summary>Parses a Liquid template (pages and mails share one parser).</summary>
    /// <exception cref="InvalidOperationException">It does not parse; the message names it and says where.</exception>
    public static IFluidTemplate Parse(string source, string name) =>
        Parser.TryParse(source, out var template, out var error)
            ? template
            : throw new InvalidOperationException($"The template {name} does not parse: {error}");

    /// <summary>The text of the embedded resource <paramref name="name"/> of <paramref name="assembly"/>.</summary>
    /// <exception cref="InvalidOperationException">It is not embedded.</exception>
    public static string Read(Assembly assembly, string name)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The template {name} is not embedded in {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
