namespace AlliancePipeline.Contracts.Api;

/// <summary>The answer to issuing a key (<c>POST /api/keys</c>, 201): the key itself, once, and its listing.</summary>
public sealed record IssuedKeyAnswer(string Key, KeyInfo Info);
