using System.CommandLine;

namespace AlliancePipeline.Cli.Commands;

/// <summary>
/// The <c>alliance</c> command line. Each subcommand lives in its own file in this folder as a static class with a
/// <c>Create()</c> method returning its <see cref="Command"/>; add it to <see cref="Subcommands"/> to expose it.
/// Subcommands write through <see cref="ParseResult.InvocationConfiguration"/> (Output and Error), so tests can run
/// them in-process with captured writers.
/// </summary>
public static class AllianceCli
{
    /// <summary>Factories of the subcommands, in the order help lists them.</summary>
    private static readonly Func<Command>[] Subcommands =
    [
        StudyCommand.Create,
        RecordsCommands.Meetings,
        RecordsCommands.Outcomes,
        RecordsCommands.Dyads,
        RecordsCommands.Links,
        KeysCommand.Create,
        PoisonCommand.Create,
        ReportCommands.Export,
        ReportCommands.Recluster,
        ClusterCommand.Create,
    ];

    /// <summary>Builds the root command <c>alliance</c> with every subcommand.</summary>
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("alliance: working-alliance study pipeline (clustering, reports, study administration).");
        foreach (var create in Subcommands) root.Subcommands.Add(create());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/> asynchronously (Ctrl+C cancels the running command).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null) =>
        CreateRoot().Parse(args).InvokeAsync(new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
        });
}
