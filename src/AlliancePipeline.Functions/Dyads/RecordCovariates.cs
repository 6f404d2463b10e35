using System.Collections.Immutable;
using System.Text.Json;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Infrastructure.Outcomes;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dyads;

/// <summary>
/// <c>PUT /api/studies/{studyId}/dyads/{dyadId}/covariates</c> (a coordinator): records a dyad's covariates,
/// <c>{"age":34,"education":"tertiary"}</c>: each a covariate of the study file, a number for a numeric one, a level
/// (text) for a categorical one. The covariates not named keep what was recorded.
/// </summary>
public sealed class RecordCovariates(CovariateOperations covariates)
{
    /// <summary>Reads the values and hands them to <see cref="CovariateOperations.RecordAsync"/>.</summary>
    [Function(nameof(RecordCovariates))]
    [KeyAccess(KeyPermission.Coordinate)]
    [RequestLimits(DyadOperations.MaxJsonBytes, BodyTypes.Json, BodyTypes.AnyJson)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "studies/{studyId}/dyads/{dyadId}/covariates")] HttpRequest request,
        string studyId,
        string dyadId,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadJsonAsync(request, DyadOperations.MaxJsonBytes, BodyJson.Default.DictionaryStringJsonElement, cancellationToken);
        var recorded = await covariates.RecordAsync(studyId, dyadId, study => Read(body, study, dyadId), "api", context.GetCaller(), cancellationToken);
        return recorded.Answer(r => TypedResults.Ok(r));
    }

    /// <summary>The values the body holds, each read by its covariate, or the first that is not one.</summary>
    private static Outcome<DyadCovariates> Read(JsonBody<Dictionary<string, JsonElement>>? body, StudyDefinition study, string dyadId)
    {
        const string Title = "Covariates refused";
        if (body is null) return Refusal.TooLarge("Body too large", "Covariates are a small JSON object.");
        if (!body.IsRead) return Refusal.Invalid(Title, "The body is not a JSON object: send {\"age\": 34, \"education\": \"tertiary\"}, one field per covariate of the study file.");
        var values = ImmutableSortedDictionary.CreateBuilder<string, CovariateValue>(StringComparer.Ordinal);
        foreach (var (name, element) in body.Value)
        {
            if (study.FindCovariate(name) is not { } covariate) return Refusal.Invalid(Title, CovariateInputs.Unknown(study, name));
            var (value, problem) = element.ValueKind switch
            {
                JsonValueKind.String => covariate.Read(element.GetString()!),
                JsonValueKind.Number when element.TryGetDouble(out var number) => covariate.Check(number),
                _ => (null, $"covariate '{covariate.Name}' must be {covariate.Allowed}, not {element.GetRawText()}"),
            };
            if (problem is not null) return Refusal.Invalid(Title, problem);
            values[covariate.Name] = value!;
        }

        return new DyadCovariates(dyadId, values.ToImmutable());
    }
}
