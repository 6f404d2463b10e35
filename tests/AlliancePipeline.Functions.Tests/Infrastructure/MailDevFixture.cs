using AlliancePipeline.Emulators;

namespace AlliancePipeline.Functions.Tests.Infrastructure;

/// <summary>
/// For the mail tests: an Azurite and a MailDev of this test run's own (free ports), started together, and a
/// <see cref="MailDevClient"/>. Tests tell their mails apart by recipient, so they never need to clear MailDev.
/// </summary>
public sealed class MailDevFixture : IAsyncLifetime
{
    private MailDevHandle? _mailDev;

    public AzuriteFixture Azurite { get; } = new();

    public MailDevHandle MailDev => _mailDev ?? throw new InvalidOperationException("MailDev is not running.");

    public MailDevClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var ports = EmulatorProcess.FreePorts(2);
        var mailDev = global::AlliancePipeline.Emulators.MailDev.EnsureRunningAsync(ports[0], ports[1]);
        await Task.WhenAll(Azurite.InitializeAsync(), mailDev);
        _mailDev = await mailDev;
        Client = new MailDevClient(_mailDev.WebAddress);
    }

    /// <summary>Points a test app's SMTP settings at this MailDev.</summary>
    public void UseMailDev(Dictionary<string, string?> settings)
    {
        settings["AlliancePipeline:Smtp:Host"] = "127.0.0.1";
        settings["AlliancePipeline:Smtp:Port"] = MailDev.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["AlliancePipeline:Smtp:Security"] = "none";
    }

    /// <summary>A recipient address unique to one test.</summary>
    public static string Recipient(string who) => $"{who}-{Guid.NewGuid():N}"[..(who.Length + 13)] + "@example.org";

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_mailDev is not null) await _mailDev.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class MailCollection : ICollectionFixture<MailDevFixture>
{
    public const string Name = "Mail";
}
