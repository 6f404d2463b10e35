using AlliancePipeline.Functions.Infrastructure.Http;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Keys;

/// <summary><c>GET /api/keys[?studyId=]</c> (admin key): lists access keys without their secrets, newest first. Every answer <c>no-store</c>.</summary>
public sealed class ListKeys(KeyAdministration keys)
{
    /// <summary>Hands the request to <see cref="KeyAdministration.ListAsync"/>.</summary>
    [Function(nameof(ListKeys))]
    [KeyAccess(KeyPermission.Administer)]
    [StorageOutage("A key request could not be served")]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "keys")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (!request.TryGetQueryValue("studyId", out var studyId))
            return HttpResults.NoStore(Problems.For(KeyAdministration.Invalid("Give ?studyId= once.")));
        return HttpResults.NoStore(TypedResults.Ok(await keys.ListAsync(studyId, cancellationToken)));
    }
}
