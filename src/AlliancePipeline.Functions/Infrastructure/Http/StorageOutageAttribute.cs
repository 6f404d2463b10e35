namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>How a function answers when storage is down (<see cref="StorageUnavailableMiddleware"/>).</summary>
public enum OutageAnswer
{
    /// <summary>"Storage did not answer just now; nothing was changed": problem details, or a page where the function's key refusals are pages.</summary>
    Standard,
    /// <summary>The questionnaire's: its localised page, or problem details saying the answers could not be confirmed.</summary>
    Questionnaire,
    /// <summary>The pause link's: its localised page, or problem details saying nothing was paused.</summary>
    PauseLink,
}

/// <summary>
/// What a function's log says, and how it answers, when storage cannot serve it: 503 with Retry-After, answered by
/// <see cref="StorageUnavailableMiddleware"/>. A function without it logs <c>A {Function} request could not be served</c>
/// and answers <see cref="OutageAnswer.Standard"/>.
/// </summary>
/// <param name="what">What could not be done, e.g. <c>A dashboard request could not be served</c>.</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class StorageOutageAttribute(string what) : Attribute
{
    /// <summary>What could not be done, for the log.</summary>
    public string What { get; } = what;

    /// <summary>What could not be done when the request was a POST, when it says something else.</summary>
    public string? WhatOnPost { get; init; }

    /// <summary>How the 503 is answered.</summary>
    public OutageAnswer Answer { get; init; } = OutageAnswer.Standard;

    /// <summary>What could not be done for a request of <paramref name="method"/>.</summary>
    public string WhatFor(string method) => HttpMethods.IsPost(method) && WhatOnPost is { } post ? post : What;
}
