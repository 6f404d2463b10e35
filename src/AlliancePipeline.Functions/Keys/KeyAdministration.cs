using System.Text.Json;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Functions.Dashboards;
using AlliancePipeline.Functions.Infrastructure.Access;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Infrastructure.Storage;

namespace AlliancePipeline.Functions.Keys;

/// <summary>
/// The key endpoints, for admin keys only: <c>POST /api/keys</c> issues (201, the key in the body once, never again),
/// <c>GET /api/keys</c> lists (no secrets, no hashes; <c>?studyId=</c> narrows), <c>DELETE /api/keys/{keyId}</c> revokes
/// (200 with the row; revoking twice changes nothing). Bad input gets 400 problem details naming the field; unknown ids
/// 404; every answer <c>Cache-Control: no-store</c>.
/// </summary>
/// <remarks>
/// The routes are <c>keys</c>, not <c>admin/keys</c>: the Functions host reserves every route that starts with
/// <c>admin</c> (its own admin API), even under the <c>api</c> prefix, and refuses to load a function that claims one.
/// </remarks>
public sealed class KeyAdministration(KeyAuthentication authentication, AccessKeys keys, DashboardReader studies, TimeProvider clock, ILogger<KeyAdministration> log)
{
    /// <summary>The largest body taken.</summary>
    public const int MaxBodyBytes = 4096;

    private static readonly string[] Fields = ["role", "studyId", "siteId", "label", "validDays"];

    /// <summary>Issues a key from a JSON body <c>{"role","studyId","siteId","label","validDays"}</c>.</summary>
    public Task<IResult> IssueAsync(HttpRequest request, CancellationToken ct) => AdminAsync(request, async caller =>
    {
        var body = await RequestBody.ReadTextAsync(request, MaxBodyBytes, ct).ConfigureAwait(false);
        if (body is null) return HttpResults.Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"A key request is at most {MaxBodyBytes} bytes.");
        var (asked, error) = ReadRequest(body);
        if (asked is null) return Invalid(error!);
        var scope = AccessScope.TryCreate(asked.Role, asked.StudyId, asked.SiteId, out var scopeError);
        if (scope is null) return Invalid(scopeError!);
        if (AccessKeys.CheckLabel(asked.Label) is { } labelError) return Invalid(labelError);
        var days = asked.ValidDays ?? AccessKeys.DefaultValidDays;
        if (days is < 1 or > AccessKeys.MaxValidDays) return Invalid($"validDays is 1 to {AccessKeys.MaxValidDays} (default {AccessKeys.DefaultValidDays}).");
        if (scope.StudyId is not null)
        {
            var study = await studies.FindStudyAsync(scope.StudyId, ct).ConfigureAwait(false);
            if (study is null) return Invalid($"studyId '{scope.StudyId}' is not a study.");
            if (scope.SiteId is not null && !(await studies.SiteNamesAsync(study, scope.SiteId, ct).ConfigureAwait(false)).ContainsKey(scope.SiteId))
                return Invalid($"siteId '{scope.SiteId}' is not a site of study '{scope.StudyId}'.");
        }

        var issued = await keys.IssueAsync(scope, asked.Label!, days, caller.Actor, ct).ConfigureAwait(false);
        log.LogInformation("Key {KeyId} ({Scope}) issued by key {Issuer}.", issued.Entity.RowKey, scope.ToString(), caller.KeyId);
        return TypedResults.Created($"keys/{issued.Entity.RowKey}", new IssuedKeyAnswer(issued.Key, KeyInfo.Of(issued.Entity, clock.GetUtcNow())));
    });

    /// <summary>Lists keys, newest first; <c>?studyId=</c> keeps one study's.</summary>
    public Task<IResult> ListAsync(HttpRequest request, CancellationToken ct) => AdminAsync(request, async _ =>
    {
        var study = request.Query["studyId"];
        if (study.Count > 1) return Invalid("Give ?studyId= once.");
        var filter = study.Count == 1 && !string.IsNullOrEmpty(study[0]) ? study[0] : null;
        var now = clock.GetUtcNow();
        var rows = await keys.ListAsync(ct).ConfigureAwait(false);
        return TypedResults.Ok(new KeyList([.. rows.Where(k => filter is null || k.StudyId == filter).Select(k => KeyInfo.Of(k, now))]));
    });

    /// <summary>Revokes a key.</summary>
    public Task<IResult> RevokeAsync(string keyId, HttpRequest request, CancellationToken ct) => AdminAsync(request, async caller =>
    {
        if (!AccessKeyFormat.IsKeyId(keyId)) return Invalid("A key id is 16 lower-case hex characters (the part after ak_).");
        var row = await keys.RevokeAsync(keyId, caller.Actor, ct).ConfigureAwait(false);
        if (row is null) return HttpResults.Problem(StatusCodes.Status404NotFound, "Not found", "No key has that id.");
        log.LogInformation("Key {KeyId} revoked by key {Revoker}.", keyId, caller.KeyId);
        return TypedResults.Ok(KeyInfo.Of(row, clock.GetUtcNow()));
    });

    private async Task<IResult> AdminAsync(HttpRequest request, Func<Caller, Task<IResult>> work)
    {
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        try
        {
            var auth = await authentication.AuthorizeAsync(request, scope => scope.CanAdminister, AnswerAs.Json, request.HttpContext.RequestAborted).ConfigureAwait(false);
            return auth.Succeeded ? await work(auth.Caller).ConfigureAwait(false) : auth.Refusal;
        }
        catch (Exception e) when (StorageUnavailable.Is(e))
        {
            log.LogWarning("A key request could not be served (storage unavailable: {Reason}); answered 503.", StorageUnavailable.Describe(e));
            return AccessResults.Unavailable(request, AnswerAs.Json);
        }
    }

    private static IResult Invalid(string detail) => HttpResults.Problem(StatusCodes.Status400BadRequest, "Invalid key request", detail);

    private sealed record KeyRequest(string? Role, string? StudyId, string? SiteId, string? Label, int? ValidDays);

    /// <summary>The request body, strictly: a JSON object with only the known fields, strings and an integer.</summary>
    private static (KeyRequest? Request, string? Error) ReadRequest(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                return (null, "The body is a JSON object: {\"role\":…, \"studyId\":…, \"siteId\":…, \"label\":…, \"validDays\":…}.");
            var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!Fields.Contains(property.Name, StringComparer.Ordinal))
                    return (null, $"'{property.Name}' is not a field of a key request; the fields are: {string.Join(", ", Fields)}.");
                if (!values.TryAdd(property.Name, property.Value)) return (null, $"'{property.Name}' is given twice.");
            }
            string? Text(string name, out string? error)
            {
                error = null;
                if (!values.TryGetValue(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
                if (v.ValueKind != JsonValueKind.String) error = $"{name} is a string.";
                return v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            }
            var role = Text("role", out var e1);
            var studyId = Text("studyId", out var e2);
            var siteId = Text("siteId", out var e3);
            var label = Text("label", out var e4);
            if ((e1 ?? e2 ?? e3 ?? e4) is { } textError) return (null, textError);
            int? validDays = null;
            if (values.TryGetValue("validDays", out var d) && d.ValueKind != JsonValueKind.Null)
            {
                if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out var n)) return (null, "validDays is a whole number of days.");
                validDays = n;
            }
            return (new KeyRequest(role, studyId, siteId, label, validDays), null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return (null, "The body is not valid JSON.");
        }
    }
}
