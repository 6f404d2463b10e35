using AlliancePipeline.Functions.Infrastructure.Access;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Studies;

/// <summary>
/// <c>PUT /api/manage/studies/{studyId}</c>: applies a study file (admin key; <c>?dryRun=true</c> only reports). Routes
/// starting with <c>admin</c> belong to the Functions host, hence <c>manage</c>.
/// </summary>
public sealed class ApplyStudy(StudyAdminService studies, KeyAuthentication keys)
{
    /// <summary>Hands the file to <see cref="StudyAdminService"/>.</summary>
    [Function(nameof(ApplyStudy))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "manage/studies/{studyId}")] HttpRequest request,
        string studyId,
        CancellationToken cancellationToken)
    {
        var auth = await keys.AuthorizeAsync(request, s => s.CanAdminister, AnswerAs.Json, cancellationToken);
        return auth.Succeeded ? await studies.ApplyAsync(studyId, request, auth.Caller.Actor, cancellationToken) : auth.Refusal;
    }
}
