using AlliancePipeline.Functions.Hosting;
using AlliancePipeline.Functions.Services;

namespace AlliancePipeline.Functions.Functions.Questionnaire;

/// <summary><c>GET|POST /api/q/{token}</c>: serves the form, takes a submission (202 once queued).</summary>
public sealed class QuestionnaireFunction(QuestionnaireService questionnaire) : HttpFunction
{
    /// <inheritdoc />
    public override string Name => "Questionnaire";

    /// <inheritdoc />
    public override string Route => "q/{token}";

    /// <inheritdoc />
    public override IReadOnlyList<string> Methods { get; } = ["GET", "POST"];

    /// <inheritdoc />
    public override Task<HttpResponseData> HandleAsync(HttpRequestData request, InvocationLog log, CancellationToken cancellationToken)
    {
        var token = request.Params.GetValueOrDefault("token") ?? "";
        return string.Equals(request.Method, "POST", StringComparison.OrdinalIgnoreCase)
            ? questionnaire.PostAsync(token, request, cancellationToken)
            : questionnaire.GetAsync(token, request, cancellationToken);
    }
}
