using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Infrastructure.Outcomes;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Studies;

/// <summary>
/// <c>PUT /api/manage/studies/{studyId}</c> (admin key): applies the study file in the body (<c>?dryRun=true</c> only
/// reports). Routes starting with <c>admin</c> belong to the Functions host, hence <c>manage</c>.
/// </summary>
public sealed class ApplyStudy(StudyAdminService studies)
{
    /// <summary>Reads the file (at most 8 MB) and hands it to <see cref="StudyAdminService.ApplyAsync"/>.</summary>
    [Function(nameof(ApplyStudy))]
    [KeyAccess(KeyPermission.Administer)]
    [RequestLimits(StudyAdminService.MaxBodyBytes, BodyTypes.Text, BodyTypes.TextYaml, BodyTypes.XYaml, BodyTypes.Yaml, BodyTypes.ApplicationXYaml, BodyTypes.Json, BodyTypes.AnyJson)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "manage/studies/{studyId}")] HttpRequest request,
        string studyId,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var text = await RequestBody.ReadTextAsync(request, StudyAdminService.MaxBodyBytes, cancellationToken);
        if (text is null)
            return Problems.For(Refusal.TooLarge("Study file too large", $"A study source is at most {StudyAdminService.MaxBodyBytes / (1024 * 1024)} MB."));
        var isSource = request.ContentType?.StartsWith(StudySource.MediaType, StringComparison.OrdinalIgnoreCase) == true;
        var dryRun = request.Query.TryGetValue("dryRun", out var asked) && bool.TryParse(asked, out var dry) && dry;
        var applied = await studies.ApplyAsync(studyId, text, isSource, dryRun, context.GetCaller().Actor, cancellationToken);
        return applied.Answer(report => TypedResults.Ok(report));
    }
}
