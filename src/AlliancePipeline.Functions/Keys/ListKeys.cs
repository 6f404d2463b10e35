using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Keys;

/// <summary><c>GET /api/keys</c> (admin key): lists access keys without their secrets.</summary>
public sealed class ListKeys(KeyAdministration keys)
{
    /// <summary>Hands the request to <see cref="KeyAdministration.ListAsync"/>.</summary>
    [Function(nameof(ListKeys))]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "keys")] HttpRequest request,
        CancellationToken cancellationToken) =>
        keys.ListAsync(request, cancellationToken);
}
