using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Keys;

/// <summary><c>DELETE /api/keys/{keyId}</c> (admin key): revokes an access key.</summary>
public sealed class RevokeKey(KeyAdministration keys)
{
    /// <summary>Hands the request to <see cref="KeyAdministration.RevokeAsync"/>.</summary>
    [Function(nameof(RevokeKey))]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "keys/{keyId}")] HttpRequest request,
        string keyId,
        CancellationToken cancellationToken) =>
        keys.RevokeAsync(keyId, request, cancellationToken);
}
