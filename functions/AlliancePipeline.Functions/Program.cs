using AlliancePipeline.Functions;
using AlliancePipeline.Functions.Settings;

try
{
    var app = FunctionApp.Build(args);
    await FunctionApp.PrepareAsync(app);
    await app.RunAsync();
    return 0;
}
catch (InvalidSettingsException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}

/// <summary>The app's entry point (public for tests).</summary>
public partial class Program;
