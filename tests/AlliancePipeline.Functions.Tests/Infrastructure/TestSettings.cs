using AlliancePipeline.Functions.Infrastructure.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AlliancePipeline.Functions.Tests.Infrastructure;

/// <summary>The app's settings registered as the worker registers them (<c>AddAlliancePipeline</c>) over given values, and checked as it checks them at start.</summary>
public static class TestSettings
{
    /// <summary>Configuration of <paramref name="values"/> (keys with <c>:</c>), nothing else.</summary>
    public static IConfiguration Config(IEnumerable<KeyValuePair<string, string?>> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    /// <summary>The app's services over <paramref name="configuration"/>, not validated.</summary>
    public static ServiceProvider Services(IConfiguration configuration) =>
        new ServiceCollection().AddLogging().AddSingleton(configuration).AddAlliancePipeline().BuildServiceProvider();

    /// <summary>
    /// The app's services over <paramref name="configuration"/> once the startup validation passed; otherwise
    /// <see cref="InvalidSettingsException"/> naming every problem, as <c>Program</c> prints them before exiting with 2.
    /// </summary>
    public static ServiceProvider Read(IConfiguration configuration)
    {
        var services = Services(configuration);
        SettingsRegistration.ThrowIfInvalid(services);
        return services;
    }

    /// <summary>A validated section's options.</summary>
    public static T Options<T>(this IServiceProvider services) where T : class => services.GetRequiredService<IOptions<T>>().Value;

    /// <summary>One section as the app binds it (not validated) and the problems its registered validator names.</summary>
    public static (T Options, IReadOnlyList<string> Problems) Check<T>(IConfiguration configuration) where T : class, new()
    {
        using var services = Services(configuration);
        var options = new T();
        foreach (var configure in services.GetServices<IConfigureOptions<T>>()) configure.Configure(options);
        var problems = services.GetServices<IValidateOptions<T>>()
            .Select(v => v.Validate(Microsoft.Extensions.Options.Options.DefaultName, options))
            .Where(r => r.Failed)
            .SelectMany(r => r.Failures ?? [])
            .ToList();
        return (options, problems);
    }
}
