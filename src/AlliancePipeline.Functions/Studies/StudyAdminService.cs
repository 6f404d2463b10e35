using AlliancePipeline.Functions.Infrastructure.Http;

namespace AlliancePipeline.Functions.Studies;

/// <summary>
/// The admin API's study files: <c>PUT /api/admin/studies/{studyId}</c> applies the file in the body
/// (<c>?dryRun=true</c> only reports). The body is the study file itself (YAML or JSON, with shipped or inline
/// instruments), or a <see cref="StudySource"/> (<c>application/vnd.alliance.study+json</c>: the file and the instrument
/// files it references, as <c>alliance study apply</c> sends it). A refused file answers 400 with every error, each
/// naming its line and field, and nothing is written.
/// </summary>
public sealed class StudyAdminService(StudyApplier applier)
{
    /// <summary>The largest study source taken (a 2,000-dyad study file is about 300 KB).</summary>
    public const int MaxBodyBytes = 8 * 1024 * 1024;

    /// <summary>Applies the file in the request body to <paramref name="studyId"/>.</summary>
    public async Task<IResult> ApplyAsync(string studyId, HttpRequest request, string actor, CancellationToken ct)
    {
        var body = await RequestBody.ReadTextAsync(request, MaxBodyBytes, ct).ConfigureAwait(false);
        if (body is null)
            return HttpResults.Problem(StatusCodes.Status413PayloadTooLarge, "Study file too large", $"A study source is at most {MaxBodyBytes / (1024 * 1024)} MB.");
        if (body.Trim().Length == 0)
            return HttpResults.Problem(400, "No study file", "The body is empty: send the study file (YAML or JSON).");
        StudySource source;
        if (request.ContentType?.StartsWith(StudySource.MediaType, StringComparison.OrdinalIgnoreCase) == true)
        {
            source = StudySource.TryParse(body, out var problem) ?? new StudySource();
            if (problem is not null) return HttpResults.Problem(400, "Not a study source", problem);
        }
        else
        {
            source = new StudySource { Source = "study file", Text = body };
        }
        var dryRun = request.Query.TryGetValue("dryRun", out var d) && bool.TryParse(d, out var dr) && dr;
        var outcome = await applier.ApplyAsync(source, studyId, actor, dryRun, ct).ConfigureAwait(false);
        if (!outcome.IsValid)
        {
            return TypedResults.Problem(
                title: "The study file has errors",
                detail: $"{outcome.Errors.Length} error(s); nothing was applied. The first: {outcome.Errors[0]}",
                statusCode: 400,
                extensions: new Dictionary<string, object?>
                {
                    ["errors"] = outcome.Errors.Select(e => new { line = e.Line, column = e.Column, field = e.Field, message = e.Message, text = e.ToString() }).ToArray(),
                });
        }
        return TypedResults.Ok(StudyApplyReport.Of(outcome, dryRun));
    }
}
