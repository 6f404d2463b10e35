using System.CommandLine;

namespace AlliancePipeline.Cli.Commands;

/// <summary>
/// <c>alliance export --study ID --format csv|json|fhir [--out FILE]</c> and <c>alliance recluster --study ID</c>: a
/// study's responses, and its report run now (a researcher's or coordinator's key; the report opens at the printed link).
/// </summary>
public static class ReportCommands
{
    /// <summary>Creates <c>export</c>.</summary>
    public static Command Export()
    {
        var options = new AppOptions();
        var study = new Option<string>("--study") { Description = "The study id.", Required = true };
        var format = new Option<string>("--format") { Description = "csv (long format, one row per response), json, or fhir (R4 QuestionnaireResponse bundle).", DefaultValueFactory = _ => "csv" };
        OptionValues.OneOf(format, "csv", "json", "fhir");
        var output = new Option<FileInfo>("--out") { Description = "Write to this file (default: standard output)." };
        var command = options.AddTo(new Command("export", "Export a study's responses.") { study, format, output });
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, "export", options, async (api, console) =>
        {
            var answer = await api.SendAsync(HttpMethod.Get, $"api/studies/{Uri.EscapeDataString(parse.GetValue(study)!)}/export?format={parse.GetValue(format)}", null, ct).ConfigureAwait(false);
            if (!answer.Succeeded) return await CommandRunner.RefusedAsync(parse, "export", answer).ConfigureAwait(false);
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, answer.Body, ct).ConfigureAwait(false);
                await parse.InvocationConfiguration.Error.WriteLineAsync($"Wrote {file.FullName}.").ConfigureAwait(false);
            }
            else
            {
                await console.WriteAsync(answer.Body).ConfigureAwait(false);
            }
            return 0;
        }));
        return command;
    }

    /// <summary>Creates <c>recluster</c>.</summary>
    public static Command Recluster()
    {
        var options = new AppOptions();
        var study = new Option<string>("--study") { Description = "The study id.", Required = true };
        var command = options.AddTo(new Command("recluster", "Run a study's report now (clustering, outcome table, the report set).") { study });
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, "recluster", options, async (api, console) =>
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"Running the report of {parse.GetValue(study)}…").ConfigureAwait(false);
            var answer = await api.SendAsync(HttpMethod.Post, $"api/manage/studies/{Uri.EscapeDataString(parse.GetValue(study)!)}/recluster", null, ct).ConfigureAwait(false);
            if (!answer.Succeeded) return await CommandRunner.RefusedAsync(parse, "recluster", answer).ConfigureAwait(false);
            await console.WriteLineAsync($"Run {answer.Json!["runId"]}: {new Uri(api.BaseAddress, answer.Json["report"]!.GetValue<string>())} (add ?key= with a researcher's key to open it)").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
