using AlliancePipeline.Functions.Infrastructure.Pages;
using AlliancePipeline.LocalHost.Functions;

namespace AlliancePipeline.LocalHost.Http;

/// <summary>
/// The page at the root, as the Functions host serves one: the host's state and each function, HTTP ones with their
/// methods and address, so that someone who opens the address the host printed sees what runs there. Rendered as the
/// worker's pages are, by the same <see cref="PageRenderer"/> with the same layout and stylesheet (their files are linked
/// from the worker's <c>Infrastructure/Pages</c>), from <c>Templates/home.liquid</c>; built when the host starts its HTTP
/// server, so a template missing or broken stops the host there.
/// </summary>
internal sealed class HomePage(FunctionsLocalHost host)
{
    private const string Template = "Pages.Host.home.liquid";

    private readonly PageRenderer _renderer = new(typeof(HomePage).Assembly, [Template]);

    /// <summary>The page, as the host is now.</summary>
    public string Render()
    {
        var functions = host.Descriptors.OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => f.Is(TriggerTypes.Http)
            ? new FunctionRow(f.Name, true, string.Join(", ", f.Methods.Select(m => m.ToUpperInvariant())),
                new Uri(host.BaseAddress, HttpRouteTable.TemplateOf(f, host.RoutePrefix)).ToString(), f.TriggerType, f.IsDisabled)
            : new FunctionRow(f.Name, false, "", "", f.TriggerType, f.IsDisabled)).ToArray();
        var state = host.State.ToString();
        return _renderer.Render(Template, new Model(state.ToLowerInvariant(), functions), "en", "Function app: " + state, PageRenderer.Kind.Host);
    }

    private sealed record Model(string State, IReadOnlyList<FunctionRow> Functions);

    private sealed record FunctionRow(string Name, bool Http, string Methods, string Address, string Trigger, bool Disabled);
}
