using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Questionnaires;

/// <summary><c>GET|POST /api/q/{token}</c>: the rater's questionnaire link. GET serves the form; POST takes the answers.</summary>
public sealed class Questionnaire(QuestionnaireService questionnaire)
{
    /// <summary>Hands the request to <see cref="QuestionnaireService"/>.</summary>
    [Function(nameof(Questionnaire))]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "q/{token}")] HttpRequest request,
        string token,
        CancellationToken cancellationToken) =>
        HttpMethods.IsPost(request.Method)
            ? questionnaire.PostAsync(token, request, cancellationToken)
            : questionnaire.GetAsync(token, request, cancellationToken);
}
