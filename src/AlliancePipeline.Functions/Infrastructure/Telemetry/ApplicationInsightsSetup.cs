using Azure.Identity;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Infrastructure.Telemetry;

/// <summary>
/// The worker's logs and telemetry to Application Insights (Microsoft.Azure.Functions.Worker.ApplicationInsights), as the
/// Functions templates wire it; nothing is sent unless <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set. When the
/// resource refuses local (key) authentication, <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> =
/// <c>ClientId=…;Authorization=AAD</c> (what <c>infra/main.bicep</c> sets, and what the host reads) makes the worker
/// authenticate with that managed identity too.
/// </summary>
public static class ApplicationInsightsSetup
{
    /// <summary>The setting the host reads for Entra ID authentication of telemetry.</summary>
    public const string AuthenticationStringKey = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>Adds Application Insights for the worker.</summary>
    public static IServiceCollection AddWorkerTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();
        // The SDK adds a filter that keeps only warnings for its own logger; the app's information lines are wanted too
        // (host.json's logLevel still applies).
        services.Configure<LoggerFilterOptions>(options =>
        {
            var rule = options.Rules.FirstOrDefault(r => r.ProviderName == "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider");
            if (rule is not null) options.Rules.Remove(rule);
        });
        if (ManagedIdentityClientId(configuration[AuthenticationStringKey]) is { } clientId)
        {
            var credential = clientId.Length == 0
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
            services.Configure<TelemetryConfiguration>(config => config.SetAzureTokenCredential(credential));
        }
        return services;
    }

    /// <summary>
    /// The client id named by an authentication string <c>Authorization=AAD[;ClientId=…]</c> (empty for a system-assigned
    /// identity), or null when it asks for no Entra ID authentication.
    /// </summary>
    public static string? ManagedIdentityClientId(string? authenticationString)
    {
        if (string.IsNullOrWhiteSpace(authenticationString)) return null;
        var parts = authenticationString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var kind) || !kind.Equals("AAD", StringComparison.OrdinalIgnoreCase)) return null;
        return parts.GetValueOrDefault("ClientId") ?? "";
    }
}
