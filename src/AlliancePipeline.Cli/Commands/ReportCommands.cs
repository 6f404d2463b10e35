using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

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

    /// <summary>
    /// Creates <c>recluster</c>: runs the report (<c>POST api/manage/studies/{id}/recluster</c>), then reads the run's
    /// <c>clusters.json</c> and prints what it found: k and why, the clusters' sizes, and the cluster × outcome test's p.
    /// </summary>
    public static Command Recluster()
    {
        var options = new AppOptions();
        var study = new Option<string>("--study") { Description = "The study id.", Required = true };
        var command = options.AddTo(new Command("recluster", "Run a study's report now (clustering, outcome table, the report set) and print k, the cluster sizes and the outcome test's p.") { study });
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, "recluster", options, async (api, console) =>
        {
            var id = Uri.EscapeDataString(parse.GetValue(study)!);
            await parse.InvocationConfiguration.Error.WriteLineAsync($"Running the report of {parse.GetValue(study)}…").ConfigureAwait(false);
            var answer = await api.SendAsync(HttpMethod.Post, $"api/manage/studies/{id}/recluster", null, ct).ConfigureAwait(false);
            if (!answer.Succeeded) return await CommandRunner.RefusedAsync(parse, "recluster", answer).ConfigureAwait(false);
            var runId = answer.Json!["runId"]!.GetValue<string>();
            var figures = await api.SendAsync(HttpMethod.Get, $"api/studies/{id}/reports/{Uri.EscapeDataString(runId)}/clusters.json", null, ct).ConfigureAwait(false);
            await console.WriteLineAsync($"Run {runId}.").ConfigureAwait(false);
            if (figures.Succeeded && figures.Json is JsonObject clusters) await console.WriteAsync(Summary(clusters)).ConfigureAwait(false);
            else await parse.InvocationConfiguration.Error.WriteLineAsync($"alliance recluster: the run's figures could not be read: {figures.Problem(ApiTerms.Translate)}").ConfigureAwait(false);
            await console.WriteLineAsync($"Report: {new Uri(api.BaseAddress, answer.Json["report"]!.GetValue<string>())} (add ?key= with a researcher's key to open it)").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// What a run's <c>clusters.json</c> says, in three lines: k and the rule's sentence; the clusters by label with their
    /// sizes; the Fisher–Freeman–Halton p of clusters × employment (exact or Monte Carlo, as computed), or why there is no
    /// test. A study not clustered (too few complete dyads) says so with the app's message.
    /// </summary>
    public static string Summary(JsonObject clusters)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        var text = new StringBuilder();
        if (clusters["status"]?.GetValue<string>() != "clustered")
        {
            text.Append("Not clustered: ").Append(clusters["message"]?.GetValue<string>() ?? "not enough complete dyads.").Append('\n');
            return text.ToString();
        }
        text.Append(CultureInfo.InvariantCulture, $"k = {clusters["k"]}: {clusters["kReason"]?.GetValue<string>()}\n");
        var sizes = clusters["clusters"]!.AsArray().Select(c => $"{c!["label"]!.GetValue<string>()} {c["n"]}");
        text.Append("Clusters (dyads): ").Append(string.Join(", ", sizes)).Append(".\n");
        if (clusters["outcome"] is JsonObject outcome && outcome["fisherP"] is JsonValue p)
        {
            var exact = outcome["fisherExact"]?.GetValue<bool>() != false;
            var how = exact ? "exact" : $"Monte Carlo, {outcome["fisherReplicates"]} tables";
            text.Append(CultureInfo.InvariantCulture, $"Clusters × employment: Fisher's exact test p = {p.GetValue<double>().ToString("G4", CultureInfo.InvariantCulture)} ({how}).\n");
        }
        else
        {
            var note = (clusters["outcome"] as JsonObject)?["note"]?.GetValue<string>();
            text.Append("Clusters × employment: no test").Append(note is { Length: > 0 } ? ": " + note : " (no outcomes recorded).").Append('\n');
        }
        return text.ToString();
    }
}
