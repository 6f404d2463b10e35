using Microsoft.Extensions.Logging.Testing;

namespace AlliancePipeline.LocalHost.Tests.Infrastructure;

/// <summary>
/// One host of the test worker, on an Azurite of its own, shared by the tests of <see cref="SharedHostCollection"/>
/// (they run one after another and use keys of their own).
/// </summary>
public sealed class LocalHostFixture : AzuriteFixture
{
    /// <summary>Every log record of the host and its worker (see <see cref="TestWorker.Options"/>).</summary>
    public FakeLogCollector Log { get; } = new();

    public FunctionsLocalHost Host { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public DateTimeOffset StartedAt { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        StartedAt = DateTimeOffset.UtcNow;
        Host = await FunctionsLocalHost.StartAsync(TestWorker.Options(ConnectionString, Log));
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public override async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Host is not null) await Host.DisposeAsync();
        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SharedHostCollection : ICollectionFixture<LocalHostFixture>
{
    public const string Name = "Shared host";
}
