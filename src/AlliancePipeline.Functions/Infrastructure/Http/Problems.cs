using AlliancePipeline.Functions.Infrastructure.Outcomes;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>A service's <see cref="Refusal"/> as problem details, and an <see cref="Outcome{T}"/> as the answer to send.</summary>
public static class Problems
{
    /// <summary>The status of a refusal of <paramref name="kind"/>.</summary>
    public static int Status(RefusalKind kind) => kind switch
    {
        RefusalKind.Invalid => StatusCodes.Status400BadRequest,
        RefusalKind.Forbidden => StatusCodes.Status403Forbidden,
        RefusalKind.NotFound => StatusCodes.Status404NotFound,
        RefusalKind.Conflict => StatusCodes.Status409Conflict,
        RefusalKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>
    /// Problem details with the refusal's title and detail, its <c>errors</c> when it has several, and their
    /// <c>errorCount</c> when it has one.
    /// </summary>
    public static IResult For(Refusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        if (refusal.Errors is null) return HttpResults.Problem(Status(refusal.Kind), refusal.Title, refusal.Detail);
        var extensions = new Dictionary<string, object?> { ["errors"] = refusal.Errors };
        if (refusal.ErrorCount is { } count) extensions["errorCount"] = count;
        return TypedResults.Problem(title: refusal.Title, statusCode: Status(refusal.Kind), detail: refusal.Detail, extensions: extensions);
    }

    /// <summary><paramref name="done"/> of the value, or the refusal as problem details.</summary>
    public static IResult Answer<T>(this Outcome<T> outcome, Func<T, IResult> done)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(done);
        return outcome.IsRefused ? For(outcome.Refusal) : done(outcome.Value);
    }
}
