using AlliancePipeline.Functions.Clock;
using AlliancePipeline.Functions.Infrastructure.Settings;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AlliancePipeline.Functions.Tests;

/// <summary>
/// The settings through the options pattern: each section's validator names its wrong settings (all of them, with the
/// value found), and every section is validated when the host starts (<c>ValidateOnStart</c>), not when a service first
/// reads it.
/// </summary>
public sealed class SettingsValidationTests
{
    private static IReadOnlyList<string> Problems<TOptions>(SettingsValidator<TOptions> validator, TOptions options) where TOptions : class
    {
        var result = validator.Validate(Options.DefaultName, options);
        return result.Succeeded ? [] : [.. result.Failures!];
    }

    /// <summary>The test app's settings (all right) with <paramref name="key"/> set to <paramref name="value"/>.</summary>
    private static IConfiguration With(string key, string? value)
    {
        var values = TestApp.Settings("UseDevelopmentStorage=true");
        values[key] = value;
        return TestSettings.Config(values);
    }

    [Fact]
    public void Switches_take_true_or_false_in_any_case_and_name_anything_else()
    {
        Assert.Empty(Problems(new ClockOptionsValidator(), new ClockOptions()));
        Assert.Empty(Problems(new ClockOptionsValidator(), new ClockOptions { Adjustable = "TRUE" }));
        Assert.True(new ClockOptions { Adjustable = "TRUE" }.IsAdjustable);
        Assert.False(new ClockOptions().IsAdjustable);
        Assert.Equal(["AlliancePipeline__Clock__Adjustable is 'yes': expected true or false."], Problems(new ClockOptionsValidator(), new ClockOptions { Adjustable = "yes" }));
        Assert.Equal(["AlliancePipeline__Storage__CreateResources is '1': expected true or false."],
            Problems(new StorageCreationOptionsValidator(), new StorageCreationOptions { CreateResources = "1" }));
        Assert.True(new StorageCreationOptions { CreateResources = "true" }.CreatesResources);
    }

    [Fact]
    public void The_link_lifetime_is_a_positive_time_span_30_days_when_unset()
    {
        var validator = new LinkOptionsValidator();
        Assert.Empty(Problems(validator, new LinkOptions()));
        Assert.Equal(TimeSpan.FromDays(30), new LinkOptions().ValidFor);
        Assert.Equal(TimeSpan.FromDays(7), new LinkOptions { Lifetime = "7.00:00:00" }.ValidFor);
        Assert.Equal(["AlliancePipeline__Links__Lifetime is 'soon': expected a positive time span such as 00:10:00."], Problems(validator, new LinkOptions { Lifetime = "soon" }));
        Assert.Equal(["AlliancePipeline__Links__Lifetime is '00:00:00': expected a positive time span such as 00:10:00."], Problems(validator, new LinkOptions { Lifetime = "00:00:00" }));
    }

    [Fact]
    public void The_public_address_is_an_http_address_without_a_query_or_in_Azure_the_host_name()
    {
        var validator = new PublicAddressOptionsValidator();
        Assert.Empty(Problems(validator, new PublicAddressOptions { PublicBaseUrl = "https://alliance.example.org/" }));
        Assert.Equal(new Uri("https://alliance.example.org"), new PublicAddressOptions { PublicBaseUrl = "https://alliance.example.org/" }.BaseUrl);
        Assert.Equal(["AlliancePipeline__PublicBaseUrl is 'ftp://alliance.example.org': expected an absolute http(s) address without a query, such as https://alliance.example.org."],
            Problems(validator, new PublicAddressOptions { PublicBaseUrl = "ftp://alliance.example.org" }));
        var azure = new PublicAddressOptions { WebsiteHostName = "alliance-func.azurewebsites.net" };
        Assert.Empty(Problems(validator, azure));
        Assert.Equal(new Uri("https://alliance-func.azurewebsites.net"), azure.BaseUrl);
        Assert.StartsWith("AlliancePipeline__PublicBaseUrl is missing", Assert.Single(Problems(validator, new PublicAddressOptions())), StringComparison.Ordinal);
    }

    [Fact]
    public void Link_signing_keys_are_named_with_their_environment_variables()
    {
        var validator = new LinkSigningOptionsValidator();
        var key = "k1=" + TestApp.SigningKey;
        Assert.Empty(Problems(validator, new LinkSigningOptions { Keys = key, CurrentKeyId = "k1" }));
        Assert.Equal("k1", new LinkSigningOptions { Keys = key, CurrentKeyId = "k1" }.ToKeys().Current.Id);
        Assert.Equal(["Setting LinkSigning__CurrentKeyId names key 'k2', which is not in LinkSigning__Keys (keys: k1)."],
            Problems(validator, new LinkSigningOptions { Keys = key, CurrentKeyId = "k2" }));
        Assert.Equal(2, Problems(validator, new LinkSigningOptions()).Count);
    }

    [Fact]
    public void The_signing_key_committed_in_the_repository_s_history_is_refused_as_compromised_wherever_it_stands()
    {
        var validator = new LinkSigningOptionsValidator();
        var leaked = Security.CompromisedKey.Read();
        var urlAlphabet = leaked.Replace('+', '-').Replace('/', '_').TrimEnd('=');
        foreach (var keys in new[] { "old=" + leaked, "old=" + urlAlphabet, $"k1={TestApp.SigningKey};old={leaked}" })
        {
            var current = keys.StartsWith("k1", StringComparison.Ordinal) ? "k1" : "old";
            var problem = Assert.Single(Problems(validator, new LinkSigningOptions { Keys = keys, CurrentKeyId = current }));
            Assert.StartsWith("LinkSigning__Keys: key 'old' is known to be compromised (published in the repository's history (commit 7f8c686", problem, StringComparison.Ordinal);
            Assert.DoesNotContain(leaked, problem, StringComparison.Ordinal);
        }
        Assert.Empty(Problems(validator, new LinkSigningOptions { Keys = "k1=" + TestApp.SigningKey, CurrentKeyId = "k1" }));
    }

    [Fact]
    public void Every_wrong_SMTP_setting_is_named_at_once()
    {
        var validator = new SmtpOptionsValidator();
        Assert.Equal(
        [
            "AlliancePipeline__Smtp__Host is missing: the SMTP server's host name (locally MailDev: 127.0.0.1).",
            "AlliancePipeline__Smtp__Port is 'x': expected an integer from 1 to 65535.",
            "AlliancePipeline__Smtp__User is set but AlliancePipeline__Smtp__Password is not: give both, or neither for a server that needs no login.",
            "AlliancePipeline__Smtp__From is missing: the sender, an address with an optional display name, such as Alliance Pipeline <noreply@example.org>.",
        ], Problems(validator, new SmtpOptions { Port = "x", User = "apikey" }));
        var right = new SmtpOptions { Host = " smtp.example.org ", Security = "tls", From = "Alliance <noreply@example.org>" };
        Assert.Empty(Problems(validator, right));
        Assert.Equal("SMTP smtp.example.org:465 (tls), from noreply@example.org", right.ToServer().ToString());
    }

    [Theory]
    [InlineData("AzureWebJobsStorage", "just-a-word", "AzureWebJobsStorage is not a usable storage connection string: ")]
    [InlineData("LinkSigning:CurrentKeyId", "other", "Setting LinkSigning__CurrentKeyId names key 'other'")]
    [InlineData("AlliancePipeline:Links:Lifetime", "soon", "AlliancePipeline__Links__Lifetime is 'soon'")]
    [InlineData("AlliancePipeline:Storage:CreateResources", "yes", "AlliancePipeline__Storage__CreateResources is 'yes'")]
    [InlineData("AlliancePipeline:PublicBaseUrl", "ftp://x.example.org", "AlliancePipeline__PublicBaseUrl is 'ftp://x.example.org'")]
    [InlineData("AlliancePipeline:Clock:Adjustable", "1", "AlliancePipeline__Clock__Adjustable is '1'")]
    [InlineData("AlliancePipeline:Smtp:Port", "x", "AlliancePipeline__Smtp__Port is 'x': expected an integer from 1 to 65535.")]
    public void Every_section_is_validated_at_start(string key, string value, string problem)
    {
        using var services = TestSettings.Services(With(key, value));
        Assert.StartsWith(problem, Assert.Single(SettingsRegistration.Problems(services)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_setting_stops_the_host_at_start_not_at_first_use()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddConfiguration(With("AlliancePipeline:Smtp:Port", "x"));
        builder.Services.AddAlliancePipeline();
        using var host = builder.Build();
        // Nothing has read the SMTP settings yet: starting the host is what refuses them.
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Equal(typeof(SmtpOptions), e.OptionsType);
        Assert.Equal(["AlliancePipeline__Smtp__Port is 'x': expected an integer from 1 to 65535."], e.Failures);
    }

    [Fact]
    public void Right_settings_pass_and_the_clock_is_adjustable_only_when_asked()
    {
        using var services = TestSettings.Read(With("AlliancePipeline:Clock:Adjustable", null));
        Assert.Empty(SettingsRegistration.Problems(services));
        Assert.Same(TimeProvider.System, services.GetRequiredService<TimeProvider>());
        using var adjustable = TestSettings.Read(With("AlliancePipeline:Clock:Adjustable", "true"));
        Assert.Same(adjustable.GetRequiredService<AdjustableClock>(), adjustable.GetRequiredService<TimeProvider>());
    }
}
