using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Keys;

/// <summary><c>POST /api/keys</c> (admin key): issues an access key; the answer holds the key, once.</summary>
public sealed class IssueKey(KeyAdministration keys)
{
    /// <summary>Hands the request to <see cref="KeyAdministration.IssueAsync"/>.</summary>
    [Function(nameof(IssueKey))]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "keys")] HttpRequest request,
        CancellationToken cancellationToken) =>
        keys.IssueAsync(request, cancellationToken);
}
