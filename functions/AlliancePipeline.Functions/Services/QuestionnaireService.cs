using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Hosting;
using AlliancePipeline.Storage.Queues;

namespace AlliancePipeline.Functions.Services;

/// <summary>
/// The questionnaire link: <c>GET</c> serves a minimal form (the full form is its own issue); <c>POST</c> checks the
/// link and the 12 answers, enqueues the raw submission on <c>responses</c> and answers 202 at once. A 202 is sent only
/// after the queue accepted the message, so nothing acknowledged is lost.
/// </summary>
public sealed class QuestionnaireService(ILinkTokens tokens, StudyTables studies, IResponseScorer scorer, IQueueServiceClient queues, TimeProvider clock)
{
    /// <summary>Serves the form for a valid link.</summary>
    public async Task<HttpResponseData> GetAsync(string token, CancellationToken ct)
    {
        var (target, problem) = await OpenAsync(token, ct).ConfigureAwait(false);
        if (problem is not null) return problem;
        var (study, assessment) = target!.Value;
        var (min, max) = scorer.ScaleOf(study.InstrumentId);
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>Working alliance questionnaire</title></head><body><main><h1>Working alliance questionnaire</h1>")
            .Append(CultureInfo.InvariantCulture, $"<p>Meeting {assessment.Meeting}.</p><form method=\"post\">");
        for (var i = 1; i <= 12; i++)
        {
            html.Append(CultureInfo.InvariantCulture, $"<fieldset><legend>Item {i}</legend>");
            for (var v = min; v <= max; v++)
                html.Append(CultureInfo.InvariantCulture, $"<label><input type=\"radio\" name=\"item{i:00}\" value=\"{v}\" required> {v}</label> ");
            html.Append("</fieldset>");
        }
        html.Append("<button type=\"submit\">Send</button></form></main></body></html>");
        return HttpResponseData.Text(200, html.ToString(), "text/html; charset=utf-8");
    }

    /// <summary>Checks and enqueues a submission: 202, or a 4xx problem naming what is wrong.</summary>
    public async Task<HttpResponseData> PostAsync(string token, HttpRequestData request, CancellationToken ct)
    {
        var (target, problem) = await OpenAsync(token, ct).ConfigureAwait(false);
        if (problem is not null) return problem;
        var (study, assessment) = target!.Value;
        if (assessment.Status == AssessmentStatus.Completed)
            return HttpResponseData.Problem(409, "Already answered", "This questionnaire has already been answered.");

        var items = ReadItems(request, out var error);
        if (items is null) return HttpResponseData.Problem(400, "Invalid answers", error!);
        var (min, max) = scorer.ScaleOf(study.InstrumentId);
        for (var i = 0; i < 12; i++)
        {
            if (items[i] < min || items[i] > max)
                return HttpResponseData.Problem(400, "Invalid answers", $"item{i + 1:00} is {items[i]}: answers run from {min} to {max}.");
        }

        var message = new SubmissionMessage
        {
            StudyId = study.Id,
            AssessmentId = assessment.Id,
            LinkVersion = assessment.LinkVersion,
            Items = items,
            SubmittedAt = clock.GetUtcNow(),
        };
        await queues.GetQueueClient(StorageNames.ResponsesQueue).SendMessageAsync(message.ToJson(), cancellationToken: ct).ConfigureAwait(false);
        return HttpResponseData.Text(202, JsonSerializer.Serialize(new { status = "accepted", assessmentId = assessment.Id }), "application/json");
    }

    private async Task<((Study, Assessment)? Target, HttpResponseData? Problem)> OpenAsync(string token, CancellationToken ct)
    {
        var claims = tokens.Validate(token, clock.GetUtcNow(), out var why);
        if (claims is null) return (null, HttpResponseData.Problem(404, "Link not valid", why!));
        var study = await studies.FindStudyAsync(claims.StudyId, ct).ConfigureAwait(false);
        var found = await studies.FindAssessmentAsync(claims.StudyId, claims.AssessmentId, ct).ConfigureAwait(false);
        if (study is null || found is null) return (null, HttpResponseData.Problem(404, "Link not valid", "The questionnaire this link names does not exist."));
        if (!found.Value.Assessment.AcceptsLink(claims.LinkVersion))
            return (null, HttpResponseData.Problem(410, "Link revoked", "This link has been replaced or withdrawn."));
        return ((study, found.Value.Assessment), null);
    }

    /// <summary>
    /// The 12 answers from a form post (<c>item01</c>..<c>item12</c>) or JSON (<c>{"items":[…]}</c>); null and the
    /// reason when they are missing or not integers.
    /// </summary>
    public static int[]? ReadItems(HttpRequestData request, out string? error)
    {
        error = null;
        var body = request.Body ?? "";
        var contentType = request.Header("Content-Type") ?? "";
        if (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("items", out var arr) || arr.ValueKind != JsonValueKind.Array)
                {
                    error = "The JSON body needs an \"items\" array of 12 integers.";
                    return null;
                }
                var list = new List<int>();
                foreach (var x in arr.EnumerateArray())
                {
                    if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt32(out var v))
                    {
                        error = $"items[{list.Count}] is not an integer.";
                        return null;
                    }
                    list.Add(v);
                }
                if (list.Count != 12)
                {
                    error = $"items has {list.Count} answers, expected 12.";
                    return null;
                }
                return [.. list];
            }
            catch (JsonException e)
            {
                error = $"The body is not JSON: {e.Message}";
                return null;
            }
        }
        var form = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = WebUtility.UrlDecode(eq < 0 ? pair : pair[..eq]);
            form[name] = WebUtility.UrlDecode(eq < 0 ? "" : pair[(eq + 1)..]);
        }
        var items = new int[12];
        for (var i = 0; i < 12; i++)
        {
            var name = $"item{i + 1:00}";
            if (!form.TryGetValue(name, out var text) || string.IsNullOrWhiteSpace(text))
            {
                error = $"{name} is missing.";
                return null;
            }
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out items[i]))
            {
                error = $"{name} is '{text}', not an integer.";
                return null;
            }
        }
        return items;
    }
}
