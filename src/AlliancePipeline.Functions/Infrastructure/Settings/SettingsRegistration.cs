using AlliancePipeline.Core.Links;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AlliancePipeline.Functions.Infrastructure.Settings;

/// <summary>
/// The app's settings through the options pattern: each section bound to its options class
/// (<c>AddOptions&lt;T&gt;().BindConfiguration(section)</c>), checked by its <see cref="SettingsValidator{TOptions}"/>,
/// and validated when the host starts (<c>ValidateOnStart</c>), never at first use. <see cref="Problems"/> runs that
/// startup validation on its own, so <c>Program</c> can name every wrong setting of every section and exit with code 2
/// before the worker starts.
/// </summary>
public static class SettingsRegistration
{
    /// <summary>
    /// Binds and checks every section, in the order their problems are listed: storage, link signing, links, storage
    /// creation, public address, clock, SMTP. Registers the values the services take that are made from a validated
    /// section: <see cref="StorageConnection"/>, <see cref="LinkSigningKeys"/>, <see cref="SmtpServer"/>.
    /// </summary>
    public static IServiceCollection AddAppSettings(this IServiceCollection services)
    {
        // AzureWebJobsStorage's own value is the connection string; its sub-keys (bound) the identity-based form.
        services.AddSection<StorageConnectionOptions, StorageConnectionOptionsValidator>(StorageConnectionOptions.Section)
            .Configure<IConfiguration>((options, configuration) => options.ConnectionString = configuration[StorageConnectionOptions.Section]);
        services.AddSection<LinkSigningOptions, LinkSigningOptionsValidator>(LinkSigningOptions.Section);
        services.AddSection<LinkOptions, LinkOptionsValidator>(LinkOptions.Section);
        services.AddSection<StorageCreationOptions, StorageCreationOptionsValidator>(StorageCreationOptions.Section);
        services.AddSection<PublicAddressOptions, PublicAddressOptionsValidator>(PublicAddressOptions.Section)
            .Configure<IConfiguration>((options, configuration) => options.WebsiteHostName = configuration[PublicAddressOptions.WebsiteHostNameSetting]);
        services.AddSection<ClockOptions, ClockOptionsValidator>(ClockOptions.Section);
        services.AddSection<ReminderRunOptions, ReminderRunOptionsValidator>(ReminderRunOptions.Section);
        services.AddSection<SmtpOptions, SmtpOptionsValidator>(SmtpOptions.Section);

        services.AddSingleton(sp => sp.GetRequiredService<IOptions<StorageConnectionOptions>>().Value.ToConnection());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<LinkSigningOptions>>().Value.ToKeys());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SmtpOptions>>().Value.ToServer());
        return services;
    }

    /// <summary>
    /// Runs the startup validation of <paramref name="services"/> (every options type registered with
    /// <c>ValidateOnStart</c>) and returns each failure of each, in registration order; empty when every setting is right.
    /// </summary>
    public static IReadOnlyList<string> Problems(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
            return [];
        }
        catch (OptionsValidationException e)
        {
            return [.. e.Failures];
        }
        catch (AggregateException e) when (e.InnerExceptions.All(inner => inner is OptionsValidationException))
        {
            return [.. e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(inner => inner.Failures)];
        }
    }

    /// <summary>Throws <see cref="InvalidSettingsException"/> naming every <see cref="Problems"/>, if there is any.</summary>
    public static void ThrowIfInvalid(IServiceProvider services)
    {
        if (Problems(services) is { Count: > 0 } problems) throw new InvalidSettingsException(problems);
    }

    private static OptionsBuilder<TOptions> AddSection<TOptions, TValidator>(this IServiceCollection services, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
    }
}
