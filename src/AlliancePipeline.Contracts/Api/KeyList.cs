namespace AlliancePipeline.Contracts.Api;

/// <summary>The answer to listing keys (<c>GET /api/keys</c>).</summary>
public sealed record KeyList(IReadOnlyList<KeyInfo> Keys);
