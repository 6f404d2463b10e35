using System.CommandLine;
using AlliancePipeline.Client;

namespace AlliancePipeline.Cli.Commands;

/// <summary>The options every command that talks to the app takes: <c>--url</c> and <c>--key</c>.</summary>
public sealed class AppOptions
{
    /// <summary>The app's address.</summary>
    public Option<string> Url { get; } = new("--url")
    {
        Description = $"The app's address (default: ALLIANCE_URL, else {AllianceApi.DefaultUrl}, the local host).",
    };

    /// <summary>The access key.</summary>
    public Option<string> Key { get; } = new("--key")
    {
        Description = "An access key (ak_…) with the rights the command needs (default: ALLIANCE_KEY).",
    };

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public T AddTo<T>(T command) where T : Command
    {
        command.Options.Add(Url);
        command.Options.Add(Key);
        return command;
    }

    /// <summary>The API client the parsed options describe, or null and what is wrong with them.</summary>
    public AllianceApi? Client(ParseResult parse, out string? problem)
    {
        var url = parse.GetValue(Url) ?? Environment.GetEnvironmentVariable("ALLIANCE_URL") ?? AllianceApi.DefaultUrl;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            problem = $"--url '{url}' is not an http(s) address such as {AllianceApi.DefaultUrl}.";
            return null;
        }
        problem = null;
        return new AllianceApi(uri, parse.GetValue(Key) ?? Environment.GetEnvironmentVariable("ALLIANCE_KEY"));
    }
}

/// <summary>Runs a command's work, turning the app's refusals and unreachable addresses into one line on standard error.</summary>
public static class CommandRunner
{
    /// <summary>
    /// Runs <paramref name="work"/> against the app; returns its exit code, or 1 after writing
    /// <c>alliance {command}: {problem}</c> to standard error.
    /// </summary>
    public static async Task<int> RunAsync(ParseResult parse, string command, AppOptions options, Func<AllianceApi, TextWriter, Task<int>> work)
    {
        var error = parse.InvocationConfiguration.Error;
        using var api = options.Client(parse, out var problem);
        if (api is null)
        {
            await error.WriteLineAsync($"alliance {command}: {problem}").ConfigureAwait(false);
            return 1;
        }
        try
        {
            return await work(api, parse.InvocationConfiguration.Output).ConfigureAwait(false);
        }
        catch (ApiUnreachableException e)
        {
            await error.WriteLineAsync($"alliance {command}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>Writes a refusal in the command line's terms (<see cref="ApiTerms"/>), each error once, and returns 1.</summary>
    public static async Task<int> RefusedAsync(ParseResult parse, string command, ApiAnswer answer)
    {
        await parse.InvocationConfiguration.Error.WriteLineAsync($"alliance {command}: {answer.Problem(ApiTerms.Translate)}").ConfigureAwait(false);
        return 1;
    }
}
