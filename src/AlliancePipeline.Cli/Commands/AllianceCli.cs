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
        RecordsCommands.Responses,
        RecordsCommands.Covariates,
        RecordsCommands.Dyads,
        RecordsCommands.Links,
        KeysCommand.Create,
        PoisonCommand.Create,
        ReportCommands.Export,
        ReportCommands.Recluster,
        ClusterCommand.Create,
        RehearsalCommands.Clock,
        RehearsalCommands.Run,
    ];

    /// <summary>Builds the root command <c>alliance</c> with every subcommand.</summary>
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("alliance: working-alliance study pipeline (clustering, reports, study administration).");
        foreach (var create in Subcommands) root.Subcommands.Add(create());
        return root;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/> asynchronously (Ctrl+C cancels the running command). When the command line
    /// has errors, a command that runs something prints them all, each once, as <c>alliance {command}: {error}</c>, with
    /// where to find its options, and exits 1; a group named without its subcommand (<c>alliance keys</c>) prints its help.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var parse = CreateRoot().Parse(args);
        error ??= Console.Error;
        if (parse.Errors.Count > 0 && parse.CommandResult.Command.Action is not null)
        {
            var command = string.Join(' ', Path(parse.CommandResult));
            foreach (var message in parse.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal))
                await error.WriteLineAsync($"alliance {command}: {message}").ConfigureAwait(false);
            await error.WriteLineAsync($"(alliance {command} --help lists its options.)").ConfigureAwait(false);
            return 1;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = output ?? Console.Out, Error = error }).ConfigureAwait(false);
    }

    /// <summary>The names of the subcommands from the root to <paramref name="result"/>, e.g. keys, issue.</summary>
    private static IEnumerable<string> Path(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new Stack<string>();
        for (var r = result; r.Parent is System.CommandLine.Parsing.CommandResult parent; r = parent) names.Push(r.Command.Name);
        return names;
    }
}
