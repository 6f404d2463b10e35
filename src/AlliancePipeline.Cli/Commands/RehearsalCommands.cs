using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using AlliancePipeline.Client;

namespace AlliancePipeline.Cli.Commands;

/// <summary>
/// Rehearsing a study on a local app whose clock can be moved (<c>AlliancePipeline__Clock__Adjustable</c>, never in
/// Azure): <c>alliance clock show|set --at|advance --days</c> (the clock route, <c>GET|PUT api/manage/clock</c>) and
/// <c>alliance run reminders|reports|recluster --study S</c> (<c>POST api/manage/studies/{id}/run/{timer}</c>: the
/// study's share of that timer, now, at the app's clock). Admin key. Where the clock cannot be moved, the app answers
/// 404 "No adjustable clock" and the command says so in its own words.
/// </summary>
public static class RehearsalCommands
{
    /// <summary>The app's refusal when its clock is the system's.</summary>
    private const string NotAdjustableTitle = "No adjustable clock";

    /// <summary>What the command line says instead.</summary>
    public const string NotAdjustable =
        "this app's clock cannot be moved: it runs on the system clock (AlliancePipeline__Clock__Adjustable is off, as it always is in Azure). "
        + "Rehearse on a local app: set it to true in src/AlliancePipeline.Functions/local.settings.json, then dotnet run --project tools/AlliancePipeline.LocalHost.";

    /// <summary>Creates <c>clock</c>.</summary>
    public static Command Clock()
    {
        var options = new AppOptions();
        var show = options.AddTo(new Command("show", "Print the app's clock and how far it is from the system's."));
        show.SetAction((parse, ct) => CommandRunner.RunAsync(parse, "clock show", options, async (api, output) =>
        {
            var answer = await api.SendAsync(HttpMethod.Get, "api/manage/clock", null, ct).ConfigureAwait(false);
            return await ClockAnswerAsync(parse, "clock show", answer, output).ConfigureAwait(false);
        }));

        var at = new Option<DateTimeOffset>("--at")
        {
            Description = "The instant the app's clock is to read, e.g. 2026-03-01T09:00:00Z (no offset: UTC). Years 2000-2199.",
            Required = true,
            CustomParser = r =>
            {
                var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
                    && value.Year is >= 2000 and <= 2199)
                    return value;
                r.AddError($"--at {text}: give an instant between the years 2000 and 2199, written like 2026-03-01T09:00:00Z.");
                return default;
            },
        };
        var set = options.AddTo(new Command("set", "Set the app's clock; it runs on from there (study schedule, reminders, links, reports; never the keys).") { at });
        set.SetAction((parse, ct) => CommandRunner.RunAsync(parse, "clock set", options, async (api, output) =>
        {
            var answer = await api.SendJsonAsync(HttpMethod.Put, "api/manage/clock", new { now = parse.GetValue(at) }, ct).ConfigureAwait(false);
            return await ClockAnswerAsync(parse, "clock set", answer, output).ConfigureAwait(false);
        }));

        var days = new Option<int>("--days")
        {
            Description = "How many days to move the app's clock on (1 to 3650).",
            Required = true,
            CustomParser = r => OptionValues.Whole(r, 1, 3650, "give a whole number of days from 1 to 3650.") ?? 1,
        };
        var advance = options.AddTo(new Command("advance", "Move the app's clock on by some days (from what it reads now).") { days });
        advance.SetAction((parse, ct) => CommandRunner.RunAsync(parse, "clock advance", options, async (api, output) =>
        {
            var read = await api.SendAsync(HttpMethod.Get, "api/manage/clock", null, ct).ConfigureAwait(false);
            if (!read.Succeeded) return await RefusedAsync(parse, "clock advance", read).ConfigureAwait(false);
            var now = read.Json!["now"]!.GetValue<DateTimeOffset>();
            var answer = await api.SendJsonAsync(HttpMethod.Put, "api/manage/clock", new { now = now.AddDays(parse.GetValue(days)) }, ct).ConfigureAwait(false);
            return await ClockAnswerAsync(parse, "clock advance", answer, output).ConfigureAwait(false);
        }));
        return new Command("clock", "The app's clock, to rehearse a study locally (only where it can be moved; never in Azure).") { show, set, advance };
    }

    /// <summary>Creates <c>run</c> with a subcommand per timer.</summary>
    public static Command Run()
    {
        var run = new Command("run", "Run a timer now for one study, at the app's clock (local rehearsals, where the clock can be moved).");
        foreach (var (timer, description) in new[]
                 {
                     ("reminders", "Invitations that have fallen due, reminders, weekly digests (what the hourly Reminders timer does)."),
                     ("reports", "The report mail, when the study's schedule is due (the hourly ReportMails timer)."),
                     ("recluster", "A report set when something is new since the last (the nightly Recluster timer); prints k, the cluster sizes and the outcome test's p."),
                 })
        {
            var options = new AppOptions();
            var study = new Option<string>("--study") { Description = "The study id.", Required = true };
            var command = options.AddTo(new Command(timer, description) { study });
            var name = "run " + timer;
            command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, name, options, async (api, output) =>
            {
                var id = Uri.EscapeDataString(parse.GetValue(study)!);
                var answer = await api.SendAsync(HttpMethod.Post, $"api/manage/studies/{id}/run/{timer}", null, ct).ConfigureAwait(false);
                if (!answer.Succeeded) return await RefusedAsync(parse, name, answer).ConfigureAwait(false);
                var json = answer.Json!;
                var at = json["now"]!.GetValue<DateTimeOffset>().UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
                var said = timer switch
                {
                    "reminders" => $"{json["invitations"]} invitation(s), {json["reminders"]} reminder(s), {json["digests"]} digest(s) queued (the outbox sends them).",
                    "reports" => $"{json["mails"]} report mail(s) queued{(json["mails"]!.GetValue<int>() == 0 ? " (none due: the study's report schedule, or no recipients)" : "")}.",
                    _ => json["runId"] is JsonValue runId ? $"report set written: run {runId}." : "nothing new since the last report: no run (alliance recluster runs one anyway).",
                };
                await output.WriteLineAsync($"{timer} for {parse.GetValue(study)} at {at}: {said}").ConfigureAwait(false);
                if (timer == "recluster" && json["runId"] is JsonValue written)
                {
                    var figures = await api.SendAsync(HttpMethod.Get, $"api/studies/{id}/reports/{Uri.EscapeDataString(written.GetValue<string>())}/clusters.json", null, ct).ConfigureAwait(false);
                    if (figures.Succeeded && figures.Json is JsonObject clusters) await output.WriteAsync(ReportCommands.Summary(clusters)).ConfigureAwait(false);
                }
                return 0;
            }));
            run.Subcommands.Add(command);
        }
        return run;
    }

    /// <summary>A refusal, with "No adjustable clock" said in the command line's words.</summary>
    private static async Task<int> RefusedAsync(ParseResult parse, string command, ApiAnswer answer)
    {
        if (answer.Status == HttpStatusCode.NotFound && answer.Json?["title"]?.GetValue<string>() == NotAdjustableTitle)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"alliance {command}: {NotAdjustable}").ConfigureAwait(false);
            return 1;
        }
        return await CommandRunner.RefusedAsync(parse, command, answer).ConfigureAwait(false);
    }

    private static async Task<int> ClockAnswerAsync(ParseResult parse, string command, ApiAnswer answer, TextWriter output)
    {
        if (!answer.Succeeded) return await RefusedAsync(parse, command, answer).ConfigureAwait(false);
        var now = answer.Json!["now"]!.GetValue<DateTimeOffset>();
        var offset = TimeSpan.TryParse(answer.Json["offset"]?.GetValue<string>(), CultureInfo.InvariantCulture, out var o) ? o : TimeSpan.Zero;
        var from = Math.Abs(offset.TotalDays) < 1.0 / 24 / 60 ? "the system's time" : $"{Math.Abs(offset.TotalDays):0.##} day(s) {(offset > TimeSpan.Zero ? "ahead of" : "behind")} the system clock";
        await output.WriteLineAsync($"The app's clock reads {now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)} ({from}).").ConfigureAwait(false);
        return 0;
    }
}
