using System.CommandLine;
using System.Text;
using AlliancePipeline.Contracts.Api;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Cli.Commands;

/// <summary>
/// What coordinators record after the study file: <c>alliance meetings record|import</c> (meeting dates, which move the
/// due dates), <c>alliance outcomes record|import</c> (employment outcomes) and <c>alliance responses import</c> (ratings
/// the study already has). CSV imports are checked whole by the app:
/// one bad line, and nothing is recorded (every bad line is listed with its number).
/// </summary>
public static class RecordsCommands
{
    /// <summary>Creates <c>meetings</c>.</summary>
    public static Command Meetings()
    {
        var options = new AppOptions();
        var study = StudyOption();
        var dyad = new Option<string>("--dyad") { Description = "The dyad's code.", Required = true };
        var meeting = MeetingOption();
        var date = OptionValues.Date(new Option<string>("--date") { Description = "The day it took place, yyyy-MM-dd.", Required = true });
        var record = options.AddTo(new Command("record", "Record the date a meeting took place.") { study, dyad, meeting, date });
        record.SetAction((parse, ct) => CommandRunner.RunAsync(parse, "meetings record", options, async (api, output) =>
        {
            var answer = await api.SendJsonAsync(HttpMethod.Put, $"api/studies/{Id(parse, study)}/dyads/{Id(parse, dyad)}/meetings/{parse.GetValue(meeting)}",
                new { date = parse.GetValue(date) }, ct).ConfigureAwait(false);
            if (!answer.Succeeded) return await CommandRunner.RefusedAsync(parse, "meetings record", answer).ConfigureAwait(false);
            await output.WriteLineAsync($"Recorded: dyad {parse.GetValue(dyad)}, meeting {parse.GetValue(meeting)} on {parse.GetValue(date)}; {answer.Json!["assessmentsMoved"]} assessment(s) moved.").ConfigureAwait(false);
            return 0;
        }));
        var import = Import(options, "meetings import", "meetings", "Import meeting dates from CSV (columns dyad,meeting,date).", study,
            json => $"Imported {json["imported"]} meeting date(s); {json["assessmentsMoved"]} assessment(s) moved, {json["assessmentsChanged"]} changed in all.");
        return new Command("meetings", "Meeting dates: they move the forms' due dates.") { record, import };
    }

    /// <summary>Creates <c>outcomes</c>.</summary>
    public static Command Outcomes()
    {
        var options = new AppOptions();
        var study = StudyOption();
        var dyad = new Option<string>("--dyad") { Description = "The dyad's code.", Required = true };
        var employed = OptionValues.YesNo(new Option<string>("--employed") { Description = "yes or no (oui/non, true/false, 1/0 too, as in the CSV import).", Required = true });
        var date = OptionValues.Date(new Option<string>("--date") { Description = "The day the job started, yyyy-MM-dd (when employed)." });
        var recorded = OptionValues.Date(new Option<string>("--recorded") { Description = "The day the outcome was recorded, yyyy-MM-dd (default: today)." });
        var daysWorked = DaysOption("--days-worked", "Days of paid work during follow-up (any job), a whole number (the CSV's daysWorked).");
        var tenure = DaysOption("--tenure-days", "Days the job had lasted on the recorded day, when employed (the CSV's tenureDays).");
        var record = options.AddTo(new Command("record", "Record whether a dyad's client got a job, and when.") { study, dyad, employed, date, recorded, daysWorked, tenure });
        record.SetAction((parse, ct) => CommandRunner.RunAsync(parse, "outcomes record", options, async (api, output) =>
        {
            var answer = await api.SendJsonAsync(HttpMethod.Put, $"api/studies/{Id(parse, study)}/dyads/{Id(parse, dyad)}/outcome",
                new
                {
                    employed = StudyInputs.ParseEmployed(parse.GetValue(employed)) == true,
                    date = parse.GetValue(date),
                    recorded = parse.GetValue(recorded),
                    daysWorked = parse.GetValue(daysWorked),
                    tenureDays = parse.GetValue(tenure),
                }, ct).ConfigureAwait(false);
            if (!answer.Succeeded) return await CommandRunner.RefusedAsync(parse, "outcomes record", answer).ConfigureAwait(false);
            await output.WriteLineAsync($"Recorded the outcome of dyad {parse.GetValue(dyad)}.").ConfigureAwait(false);
            return 0;
        }));
        var import = Import(options, "outcomes import", "outcomes", "Import outcomes from CSV (columns dyad,employed,date, and if wished recorded, daysWorked, tenureDays).", study,
            json => $"Imported {json["imported"]} outcome(s): {json["changed"]} changed, {json["unchanged"]} already recorded as given.");
        return new Command("outcomes", "Employment outcomes per dyad, for the cluster × outcome table.") { record, import };
    }

    /// <summary>
    /// Creates <c>responses</c>: <c>import</c> brings ratings the study already has into it, from the app's own CSV
    /// export or the minimal form (<c>dyad,meeting,role,date,item1..itemN</c>); scored as the app scores a rater's answers
    /// and marked <c>imported</c>. Importing a file again changes nothing, and says so.
    /// </summary>
    public static Command Responses()
    {
        var options = new AppOptions();
        var import = Import(options, "responses import", "responses",
            "Import ratings from CSV: the app's own export (responses.csv), or dyad,meeting,role,date and one column per item (item1..itemN). Checked whole: one bad line, and nothing is stored.",
            StudyOption(), json => json["message"]!.GetValue<string>());
        return new Command("responses", "Responses: bring in ratings a study already has.") { import };
    }

    /// <summary>Creates <c>covariates</c> (record, import): the dyad covariates the study file declares.</summary>
    public static Command Covariates()
    {
        var options = new AppOptions();
        var study = StudyOption();
        var dyad = new Option<string>("--dyad") { Description = "The dyad's code.", Required = true };
        var values = new Option<string[]>("--value")
        {
            Description = "A covariate as name=value (repeat for each), e.g. --value age=34 --value education=tertiary.",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
        };
        values.Validators.Add(r =>
        {
            foreach (var text in r.GetValueOrDefault<string[]>() ?? [])
                if (text.Split('=', 2) is not [{ Length: > 0 }, { Length: > 0 }])
                    r.AddError($"--value '{text}': write name=value, e.g. age=34.");
        });
        var record = options.AddTo(new Command("record", "Record a dyad's covariates (those named; the others keep what was recorded).") { study, dyad, values });
        record.SetAction((parse, ct) => CommandRunner.RunAsync(parse, "covariates record", options, async (api, output) =>
        {
            var body = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in parse.GetValue(values)!.Select(v => v.Split('=', 2))) body[pair[0].Trim()] = pair[1].Trim();
            var answer = await api.SendJsonAsync(HttpMethod.Put, $"api/studies/{Id(parse, study)}/dyads/{Id(parse, dyad)}/covariates", body, ct).ConfigureAwait(false);
            if (!answer.Succeeded) return await CommandRunner.RefusedAsync(parse, "covariates record", answer).ConfigureAwait(false);
            await output.WriteLineAsync($"Recorded the covariates of dyad {parse.GetValue(dyad)}: {answer.Json!["values"]?.ToJsonString()}").ConfigureAwait(false);
            return 0;
        }));
        var import = Import(options, "covariates import", "covariates", "Import covariates from CSV (columns dyad and any covariates of the study file).", study,
            json => $"Imported {json["imported"]} line(s) of covariates: {json["changed"]} dyad(s) changed, {json["unchanged"]} already recorded as given.");
        return new Command("covariates", "Dyad covariates the study file declares (covariates:), for the report's covariate tables.") { record, import };
    }

    private static Option<int?> DaysOption(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r => OptionValues.Whole(r, 0, int.MaxValue, "give a whole number of days, 0 or more"),
    };

    /// <summary>Creates <c>dyads</c> (show, withdraw).</summary>
    public static Command Dyads()
    {
        var options = new AppOptions();
        var study = StudyOption();
        var dyad = new Option<string>("--dyad") { Description = "The dyad's code.", Required = true };
        var withdraw = options.AddTo(new Command("withdraw", "Withdraw a dyad: its links stop, its reminders stop; its data stays.") { study, dyad });
        withdraw.SetAction((parse, ct) => CommandRunner.RunAsync(parse, "dyads withdraw", options, async (api, output) =>
        {
            var answer = await api.SendAsync(HttpMethod.Post, $"api/studies/{Id(parse, study)}/dyads/{Id(parse, dyad)}/withdraw", null, ct).ConfigureAwait(false);
            if (!answer.Succeeded) return await CommandRunner.RefusedAsync(parse, "dyads withdraw", answer).ConfigureAwait(false);
            await output.WriteLineAsync($"Dyad {parse.GetValue(dyad)} withdrawn; {answer.Json!["assessmentsWithdrawn"]} unanswered assessment(s) stopped.").ConfigureAwait(false);
            return 0;
        }));
        var json = new Option<bool>("--json") { Description = "Print the app's JSON as it came, not a table." };
        var show = options.AddTo(new Command("show", "Print a dyad's schedule: its meetings (planned or recorded), and per form the invitation, due day, reminders, link and answer.") { study, dyad, json });
        show.SetAction((parse, ct) => CommandRunner.RunAsync(parse, "dyads show", options, async (api, output) =>
        {
            var answer = await api.GetJsonAsync($"api/studies/{Id(parse, study)}/dyads/{Id(parse, dyad)}", ct).ConfigureAwait(false);
            if (!answer.Succeeded) return await CommandRunner.RefusedAsync(parse, "dyads show", answer).ConfigureAwait(false);
            await output.WriteLineAsync(parse.GetValue(json) ? answer.Body : DyadScheduleTable.Format(answer.Read<DyadSchedule>())).ConfigureAwait(false);
            return 0;
        }));
        return new Command("dyads", "Dyads after the study file: show one's schedule, withdraw one.") { show, withdraw };
    }

    /// <summary>
    /// Creates <c>links</c>: <c>reissue</c> (a new link version, mailed to the rater; the command says so and never
    /// prints the link) and <c>hand-over</c> (where the study allows it: a link for the coordinator to use with a rater
    /// reached another way, printed once).
    /// </summary>
    public static Command Links()
    {
        var options = new AppOptions();
        var study = StudyOption();
        var assessment = new Option<string>("--assessment") { Description = "The assessment id, e.g. d-001-m2-practitioner.", Required = true };
        var reissue = options.AddTo(new Command("reissue", "Give an unanswered assessment a new link (the old one then answers 410); the next Reminders run mails it to the rater.") { study, assessment });
        reissue.SetAction((parse, ct) => CommandRunner.RunAsync(parse, "links reissue", options, async (api, output) =>
        {
            var answer = await api.SendAsync(HttpMethod.Post, $"api/studies/{Id(parse, study)}/assessments/{Id(parse, assessment)}/reissue", null, ct).ConfigureAwait(false);
            if (!answer.Succeeded) return await CommandRunner.RefusedAsync(parse, "links reissue", answer).ConfigureAwait(false);
            // What was done, in the app's words; never a link, even from an app that still answered one.
            await output.WriteLineAsync($"Reissued {parse.GetValue(assessment)}: link version {answer.Json!["linkVersion"]}, expires {answer.Json["expiresAt"]}. {answer.Json["mailing"]}").ConfigureAwait(false);
            return 0;
        }));

        var dyad = new Option<string>("--dyad") { Description = "The dyad's code.", Required = true };
        var meeting = MeetingOption();
        var role = new Option<string>("--role") { Description = "Whose form: practitioner or client.", Required = true };
        OptionValues.OneOf(role, "practitioner", "client");
        var reason = new Option<string>("--reason") { Description = "Why the rater cannot take the mailed link (kept in the audit; no names or addresses).", Required = true };
        var handOver = options.AddTo(new Command("hand-over",
            "Where the study allows it (handOver: allowed): take a form's link in hand for a rater reached another way (by phone). The mailed link then answers 410; the new one is printed once; answers through it are marked hand-over.")
            { study, dyad, meeting, role, reason });
        handOver.SetAction((parse, ct) => CommandRunner.RunAsync(parse, "links hand-over", options, async (api, output) =>
        {
            var answer = await api.SendJsonAsync(HttpMethod.Post,
                $"api/studies/{Id(parse, study)}/dyads/{Id(parse, dyad)}/meetings/{parse.GetValue(meeting)}/raters/{Id(parse, role)}/hand-over",
                new { reason = parse.GetValue(reason) }, ct).ConfigureAwait(false);
            if (!answer.Succeeded) return await CommandRunner.RefusedAsync(parse, "links hand-over", answer).ConfigureAwait(false);
            await output.WriteLineAsync($"Hand-over link for {answer.Json!["assessmentId"]} (version {answer.Json["linkVersion"]}, expires {answer.Json["expiresAt"]}); the mailed link now answers 410.").ConfigureAwait(false);
            await output.WriteLineAsync("Use it only with the rater, once; it is not shown again (asking again makes another):").ConfigureAwait(false);
            await output.WriteLineAsync(answer.Json["link"]!.GetValue<string>()).ConfigureAwait(false);
            return 0;
        }));
        return new Command("links", "Questionnaire links: reissue one (mailed to the rater), or hand one over where the study allows it.") { reissue, handOver };
    }

    private static Option<int> MeetingOption() => new("--meeting")
    {
        Description = "The meeting number (1..T).",
        Required = true,
        CustomParser = r => OptionValues.Whole(r, 1, int.MaxValue, "give a meeting number: 1, 2, 3…") ?? 0,
    };

    private static Option<string> StudyOption() => new("--study") { Description = "The study id.", Required = true };

    private static string Id(ParseResult parse, Option<string> option) => Uri.EscapeDataString(parse.GetValue(option)!);

    private static Command Import(AppOptions options, string name, string route, string description, Option<string> study, Func<System.Text.Json.Nodes.JsonNode, string> done)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The CSV file, with a header line." };
        var command = options.AddTo(new Command("import", description) { study, file });
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, name, options, async (api, output) =>
        {
            var path = parse.GetRequiredValue(file);
            string text;
            try
            {
                text = await File.ReadAllTextAsync(path.FullName, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"alliance {name}: {path.Name} cannot be read ({(e is FileNotFoundException ? "no such file" : e.Message)}).").ConfigureAwait(false);
                return 1;
            }
            var answer = await api.SendAsync(HttpMethod.Post, $"api/studies/{Id(parse, study)}/{route}", new StringContent(text, Encoding.UTF8, "text/csv"), ct).ConfigureAwait(false);
            if (!answer.Succeeded) return await CommandRunner.RefusedAsync(parse, name, answer).ConfigureAwait(false);
            await output.WriteLineAsync(done(answer.Json!)).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
