using System.Collections.Immutable;
using System.Globalization;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Dyads;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Infrastructure.Outcomes;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dashboards;

/// <summary>
/// The coordinators' console of one dyad. <c>GET /api/studies/{studyId}/dyads/{dyadId}</c>: its schedule and mail state
/// (<see cref="DyadSchedules"/>), as JSON for a client that asks for it (<c>alliance dyads show</c>), else as the dyad's
/// page (<see cref="DyadPage"/>), opened from the dashboard's rows; a coordinator of the dyad's site only (admin, the
/// study key, its site key; another site's dyad is 404, as one that does not exist). <c>POST
/// /api/studies/{studyId}/dyads/{dyadId}/console/{action}</c>: the page's forms, each handed to the service that does
/// the same through the API (<see cref="DyadOperations"/>, <see cref="CovariateOperations"/>: nothing done twice), audited there with the key id, and
/// answered 303 back to the page with what was done (post, redirect, get), or the page again with why not. A form post
/// is authorized by the key cookie only from the app's own pages (<see cref="KeyCookie.MayAuthorize"/>): another
/// site's request is refused 401, and changes nothing.
/// </summary>
public sealed class DyadConsole(DyadSchedules schedules, DyadOperations dyads, CovariateOperations covariates)
{
    /// <summary>The largest form post taken: a CSV of meeting dates (as the API's import) and the form around it.</summary>
    public const int MaxFormBytes = DyadOperations.MaxCsvBytes + 64 * 1024;

    /// <summary>The dyad's schedule: JSON, or the page.</summary>
    [Function("DyadSchedule")]
    [KeyAccess(KeyPermission.Coordinate, RefuseAs = RefuseAs.Asked)]
    [StorageOutage("A dyad's schedule could not be served")]
    public async Task<IResult> Show(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "studies/{studyId}/dyads/{dyadId}")] HttpRequest request,
        string studyId,
        string dyadId,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var answerAs = request.WantsJson() ? AnswerAs.Json : AnswerAs.Page;
        var language = answerAs == AnswerAs.Json ? null : await PageLanguageAsync(schedules, request, caller, studyId, cancellationToken);
        var schedule = await schedules.ReadAsync(studyId, dyadId, caller, cancellationToken, language);
        if (schedule.IsRefused) return AccessResults.For(schedule.Refusal, answerAs);
        if (language is null) return HttpResults.NoStore(TypedResults.Ok(schedule.Value));
        var done = request.Query["done"] is { Count: 1 } asked && DyadPage.Actions.Contains(asked[0]) ? asked[0] : null;
        return HttpResults.Page(StatusCodes.Status200OK, DyadPage.Render(new DyadView(schedule.Value, language, done)
        {
            Covariates = await covariates.ReadAsync(studyId, dyadId, cancellationToken),
        }));
    }

    /// <summary>One of the page's forms.</summary>
    [Function("DyadConsoleAction")]
    [KeyAccess(KeyPermission.Coordinate, RefuseAs = RefuseAs.Page)]
    [StorageOutage("A dyad's console could not be served")]
    [RequestLimits(MaxFormBytes, BodyTypes.Form, BodyTypes.Multipart)]
    public async Task<IResult> Act(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{studyId}/dyads/{dyadId}/console/{action}")] HttpRequest request,
        string studyId,
        string dyadId,
        string action,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var schedule = await schedules.ReadAsync(studyId, dyadId, caller, cancellationToken);
        if (schedule.IsRefused) return AccessResults.For(schedule.Refusal, AnswerAs.Page);
        if (!DyadPage.Actions.Contains(action)) return AccessResults.For(Refusal.NotFound("No such action", $"The console has no action '{action}'."), AnswerAs.Page);
        var form = await ReadFormAsync(request, cancellationToken);
        var refusal = form is null
            ? Refusal.Invalid("Form refused", "The form could not be read: send it from the dyad's page.")
            : await DoAsync(action, studyId, dyadId, form, caller, cancellationToken);
        if (refusal is null) return HttpResults.SeeOther($"../../{Uri.EscapeDataString(dyadId)}?done={action}");
        // Refused: the page again (as it now stands), saying why; nothing was changed.
        var language = await PageLanguageAsync(schedules, request, caller, studyId, cancellationToken);
        var again = await schedules.ReadAsync(studyId, dyadId, caller, cancellationToken, language);
        if (again.IsRefused) return AccessResults.For(refusal, AnswerAs.Page);
        return HttpResults.Page(Problems.Status(refusal.Kind), DyadPage.Render(new DyadView(again.Value, language, Error: refusal.Detail)
        {
            Covariates = await covariates.ReadAsync(studyId, dyadId, cancellationToken),
        }));
    }

    /// <summary>Hands the form to its service: null when done, else why not.</summary>
    private async Task<Refusal?> DoAsync(string action, string studyId, string dyadId, IFormCollection form, Caller caller, CancellationToken ct)
    {
        var assessment = Field(form, "assessment") ?? "";
        return action switch
        {
            "meeting" => (await dyads.RecordMeetingAsync(studyId, Meeting(form, dyadId), caller, ct)).Refusal,
            "meetings" => (await dyads.ImportMeetingsAsync(studyId, await CsvAsync(form, ct), caller, ct)).Refusal,
            "outcome" => (await dyads.RecordOutcomeAsync(studyId, Outcome(form, dyadId), "console", caller, ct)).Refusal,
            "covariates" => (await covariates.RecordAsync(studyId, dyadId, study => Covariates(form, study, dyadId), "console", caller, ct)).Refusal,
            "reissue" => (await dyads.ReissueAsync(studyId, assessment, caller, ct)).Refusal,
            "pause" => (await dyads.SetRemindersPausedAsync(studyId, assessment, true, caller, ct)).Refusal,
            "resume" => (await dyads.SetRemindersPausedAsync(studyId, assessment, false, caller, ct)).Refusal,
            "withdraw" => (await dyads.WithdrawAsync(studyId, dyadId, caller, ct)).Refusal,
            _ => (await dyads.ReinstateAsync(studyId, dyadId, caller, ct)).Refusal,
        };
    }

    /// <summary>The form posted, or null when it is not one (a multipart body without its boundary, a broken part).</summary>
    private static async Task<IFormCollection?> ReadFormAsync(HttpRequest request, CancellationToken ct)
    {
        if (!request.HasFormContentType) return FormCollection.Empty;
        try
        {
            return await request.ReadFormAsync(ct);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static Outcome<RecordedMeeting> Meeting(IFormCollection form, string dyadId)
    {
        if (!int.TryParse(Field(form, "meeting"), NumberStyles.None, CultureInfo.InvariantCulture, out var meeting))
            return Refusal.Invalid("Meeting date refused", "Choose a meeting.");
        return JsonBody.TryReadDate(Field(form, "date"), out var date)
            ? new RecordedMeeting(dyadId, meeting, date)
            : Refusal.Invalid("Meeting date refused", "Give the date the meeting took place, yyyy-MM-dd.");
    }

    private static Outcome<DyadOutcome> Outcome(IFormCollection form, string dyadId)
    {
        bool? employed = Field(form, "employed") switch { "yes" => true, "no" => false, _ => null };
        if (employed is null) return Refusal.Invalid("Outcome refused", "Say whether the client is employed: yes or no.");
        if (!Days(form, StudyInputs.DaysWorkedField, out var worked) || !Days(form, StudyInputs.TenureDaysField, out var tenure))
            return Refusal.Invalid("Outcome refused", DaysRefused);
        DateOnly? date = null;
        if (Field(form, "date") is { } text)
        {
            if (!JsonBody.TryReadDate(text, out var day)) return Refusal.Invalid("Outcome refused", "The job start date is written yyyy-MM-dd.");
            date = day;
        }
        return new DyadOutcome(dyadId, employed.Value, date) { DaysWorked = worked, TenureDays = tenure };
    }

    /// <summary>The refusal of days not written as a whole number (the console's words: <see cref="ConsoleText.Known"/>).</summary>
    public const string DaysRefused = "Days worked and tenure are whole numbers of days, 0 or more, or left empty.";

    /// <summary>A whole number of days, or none when the field is left empty; false when it is something else.</summary>
    private static bool Days(IFormCollection form, string name, out int? days)
    {
        days = null;
        if (Field(form, name) is not { } text) return true;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return false;
        days = value;
        return true;
    }

    /// <summary>
    /// The covariates the form gives (a field per covariate of the study, named as the covariate; empty: not given, what
    /// was recorded stays), each read by its covariate (<see cref="StudyCovariate.Read"/>, as the API's text values and the
    /// CSV's cells are); <see cref="CovariateOperations.RecordAsync"/> checks them as it does the API's.
    /// </summary>
    private static Outcome<DyadCovariates> Covariates(IFormCollection form, StudyDefinition study, string dyadId)
    {
        const string Title = "Covariates refused";
        var values = ImmutableSortedDictionary.CreateBuilder<string, CovariateValue>(StringComparer.Ordinal);
        foreach (var name in form.Keys)
        {
            if (study.FindCovariate(name) is not { } covariate) return Refusal.Invalid(Title, CovariateInputs.Unknown(study, name));
            if (Field(form, name) is not { } text) continue;
            var (value, problem) = covariate.Read(text);
            if (problem is not null) return Refusal.Invalid(Title, problem);
            values[covariate.Name] = value!;
        }
        return values.Count == 0 ? Refusal.Invalid(Title, CovariatesRefused) : new DyadCovariates(dyadId, values.ToImmutable());
    }

    /// <summary>The refusal of a covariate form with every field empty (the console's words).</summary>
    public const string CovariatesRefused = "Give at least one covariate's value.";

    private static async Task<Outcome<string>> CsvAsync(IFormCollection form, CancellationToken ct)
    {
        if (form.Files.GetFile("csv") is not { Length: > 0 } file) return Refusal.Invalid("Meeting dates refused", "Choose a CSV file (dyad,meeting,date).");
        if (file.Length > DyadOperations.MaxCsvBytes) return ImportMeetingDates.TooLarge;
        using var reader = new StreamReader(file.OpenReadStream());
        return await reader.ReadToEndAsync(ct);
    }

    private static string? Field(IFormCollection form, string name) =>
        form[name] is { Count: 1 } values && values[0] is { Length: > 0 } value ? value.Trim() : null;

    /// <summary>
    /// A console page's language (the dashboard's, a dyad page's): for a site key, its site's (its coordinators' in the
    /// study file), else what the browser asks for (<see cref="HttpRequestExtensions.ConsoleLanguage"/>).
    /// </summary>
    internal static async Task<string> PageLanguageAsync(DyadSchedules schedules, HttpRequest request, Caller caller, string studyId, CancellationToken ct) =>
        request.ConsoleLanguage(caller.Scope.SiteFilter(studyId) is { } site ? await schedules.SiteLanguageAsync(studyId, site, ct).ConfigureAwait(false) : null);
}
