using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Invitations;

/// <summary><c>GET|POST /api/reminders/pause/{token}</c>: the pause link of invitations and reminders. GET shows the button; POST pauses.</summary>
public sealed class PauseReminders(ReminderPauseService pause)
{
    /// <summary>Hands the request to <see cref="ReminderPauseService"/>.</summary>
    [Function(nameof(PauseReminders))]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "reminders/pause/{token}")] HttpRequest request,
        string token,
        CancellationToken cancellationToken) =>
        HttpMethods.IsPost(request.Method)
            ? pause.PostAsync(token, request, cancellationToken)
            : pause.GetAsync(token, request, cancellationToken);
}
