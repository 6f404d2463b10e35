using AlliancePipeline.Functions.Infrastructure.Http;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Keys;

/// <summary>
/// <c>POST /api/keys</c> (admin key): issues an access key from <c>{"role","studyId","siteId","label","validDays"}</c>
/// (unknown fields refused); 201 with the key, once, and <c>Location: keys/{keyId}</c>. Every answer <c>no-store</c>.
/// </summary>
public sealed class IssueKey(KeyAdministration keys)
{
    /// <summary>Reads the request and hands it to <see cref="KeyAdministration.IssueAsync"/>.</summary>
    [Function(nameof(IssueKey))]
    [KeyAccess(KeyPermission.Administer)]
    [RequestLimits(KeyAdministration.MaxBodyBytes, BodyTypes.Json, BodyTypes.AnyJson)]
    [StorageOutage("A key request could not be served")]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "keys")] HttpRequest request,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadJsonAsync(request, KeyAdministration.MaxBodyBytes, BodyJson.Default.KeyRequest, cancellationToken);
        if (body is null)
            return HttpResults.NoStore(HttpResults.Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"A key request is at most {KeyAdministration.MaxBodyBytes} bytes."));
        if (Problem(body) is { } problem) return HttpResults.NoStore(Problems.For(KeyAdministration.Invalid(problem)));
        var issued = await keys.IssueAsync(body.Value!, context.GetCaller(), cancellationToken);
        return HttpResults.NoStore(issued.Answer(answer => TypedResults.Created($"keys/{answer.Info.KeyId}", answer)));
    }

    /// <summary>What is wrong with the body, strictly: a JSON object with only the known fields, each once, strings and a whole number.</summary>
    private static string? Problem(JsonBody<KeyRequest> body)
    {
        switch (body.Problem)
        {
            case JsonBodyProblem.NotJson:
                return "The body is not valid JSON.";
            case JsonBodyProblem.NotAnObject:
                return "The body is a JSON object: {\"role\":…, \"studyId\":…, \"siteId\":…, \"label\":…, \"validDays\":…}.";
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in body.Names)
        {
            if (!KeyRequest.Fields.Contains(name, StringComparer.Ordinal))
                return $"'{name}' is not a field of a key request; the fields are: {string.Join(", ", KeyRequest.Fields)}.";
            if (!seen.Add(name)) return $"'{name}' is given twice.";
        }
        return body.Problem == JsonBodyProblem.WrongShape
            ? body.Field == "validDays" ? "validDays is a whole number of days." : $"{body.Field} is a string."
            : null;
    }
}
