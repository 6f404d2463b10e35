namespace AlliancePipeline.Functions.Infrastructure.Settings;

/// <summary>
/// The app's public address, which links in emails start with (<c>AlliancePipeline:PublicBaseUrl</c>; in Azure, when it
/// is not set, <c>https://</c> and the Function App's host name, <c>WEBSITE_HOSTNAME</c>), checked at start by
/// <see cref="PublicAddressOptionsValidator"/>.
/// </summary>
public sealed class PublicAddressOptions
{
    /// <summary>The section <see cref="PublicBaseUrl"/> is read from.</summary>
    public const string Section = "AlliancePipeline";

    /// <summary>The setting Azure puts the Function App's host name in (outside the section).</summary>
    public const string WebsiteHostNameSetting = "WEBSITE_HOSTNAME";

    /// <summary><c>PublicBaseUrl</c> as configured: an absolute http(s) address without a query, such as <c>https://alliance.example.org</c>.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary><c>WEBSITE_HOSTNAME</c>, which Azure sets (filled in by the registration, not bound from the section).</summary>
    public string? WebsiteHostName { get; set; }

    /// <summary>The app's public address, without a trailing slash.</summary>
    public Uri BaseUrl => string.IsNullOrWhiteSpace(PublicBaseUrl) ? new Uri($"https://{WebsiteHostName}") : new Uri(PublicBaseUrl.TrimEnd('/'));
}

/// <summary>Names a missing public address (no <c>WEBSITE_HOSTNAME</c> either) or one that is not an absolute http(s) address without a query.</summary>
public sealed class PublicAddressOptionsValidator : SettingsValidator<PublicAddressOptions>
{
    /// <inheritdoc />
    protected override void Check(PublicAddressOptions options, List<string> problems)
    {
        var key = SettingNames.Env(SettingNames.PublicBaseUrlKey);
        var text = options.PublicBaseUrl;
        if (IsUnset(text))
        {
            if (options.WebsiteHostName is { Length: > 0 } host)
            {
                if (!Uri.TryCreate($"https://{host}", UriKind.Absolute, out _))
                    problems.Add($"{SettingNames.WebsiteHostNameKey} is '{host}': expected the Function App's host name; or set {key}.");
                return;
            }
            problems.Add($"{key} is missing: the app's public address, which links in emails start with (e.g. https://alliance.example.org; locally http://localhost:7071).");
            return;
        }
        if (Uri.TryCreate(text!.TrimEnd('/'), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && uri.Query.Length == 0)
            return;
        problems.Add($"{key} is '{text}': expected an absolute http(s) address without a query, such as https://alliance.example.org.");
    }
}
