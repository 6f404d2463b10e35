using AlliancePipeline.Functions.Dashboards;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Reports;

namespace AlliancePipeline.Functions.Infrastructure.Pages;

// The renderer is public in the worker (its own file, PageRenderer.cs, is shared with the local host and names no accessibility).
public sealed partial class PageRenderer;

/// <summary>
/// The worker's pages: one <see cref="PageRenderer"/> holding every page template of the worker (the questionnaire and its
/// messages, the pause page, the dashboard and its messages, the console's dyad page, the report), built when the services are registered
/// (<see cref="AddPages"/>), so a page template missing or broken stops the worker at start.
/// </summary>
public static class PageTemplates
{
    /// <summary>The resource names of the worker's page templates.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        QuestionnairePage.FormTemplate,
        QuestionnairePage.MessageTemplate,
        PausePage.Template,
        DashboardPage.Template,
        DashboardPage.MessageTemplate,
        DyadPage.Template,
        ReportHtml.Template,
    ];

    /// <summary>The renderer of every page of the worker.</summary>
    public static PageRenderer Renderer { get; } = new(typeof(PageTemplates).Assembly, All);

    /// <summary>Adds <see cref="Renderer"/>, building it now: every page template is read and parsed at start.</summary>
    public static IServiceCollection AddPages(this IServiceCollection services) => services.AddSingleton(Renderer);
}
