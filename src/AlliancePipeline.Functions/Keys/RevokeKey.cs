using AlliancePipeline.Functions.Infrastructure.Http;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Keys;

/// <summary><c>DELETE /api/keys/{keyId}</c> (admin key): revokes an access key; 200 with its listing, again 200 unchanged. Every answer <c>no-store</c>.</summary>
public sealed class RevokeKey(KeyAdministration keys)
{
    /// <summary>Hands the key to <see cref="KeyAdministration.RevokeAsync"/>.</summary>
    [Function(nameof(RevokeKey))]
    [KeyAccess(KeyPermission.Administer)]
    [StorageOutage("A key request could not be served")]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "keys/{keyId}")] HttpRequest request,
        string keyId,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var revoked = await keys.RevokeAsync(keyId, context.GetCaller(), cancellationToken);
        return HttpResults.NoStore(revoked.Answer(info => TypedResults.Ok(info)));
    }
}
