using AlliancePipeline.Functions.Dashboards;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Keys;

// In the DI namespace, as extension methods of IServiceCollection usually are, so registering takes one line.
namespace AlliancePipeline.Functions.Infrastructure.Access;

/// <summary>Registers access keys, key authentication and the dashboard.</summary>
public static class AccessRegistration
{
    /// <summary>
    /// Adds <see cref="AccessKeys"/>, <see cref="KeyAuthentication"/> (with its per-instance
    /// <see cref="FailedAttemptLimiter"/>), <see cref="KeyAdministration"/>, and the dashboard's reader and service. Needs
    /// the table client and <see cref="TimeProvider"/> that <c>AddAlliancePipeline</c> registers. Keys run on
    /// <see cref="AccessClock.System"/>, real time, whatever the app clock says.
    /// </summary>
    public static IServiceCollection AddAccessAndDashboard(this IServiceCollection services)
    {
        services.AddSingleton(AccessClock.System);
        services.AddSingleton<AccessKeys>();
        services.AddSingleton<FailedAttemptLimiter>();
        services.AddSingleton<KeyAuthentication>();
        services.AddSingleton<KeyAdministration>();
        services.AddSingleton<DashboardReader>();
        services.AddSingleton<DashboardService>();
        services.AddSingleton<Dyads.DyadSchedules>();
        return services;
    }
}
