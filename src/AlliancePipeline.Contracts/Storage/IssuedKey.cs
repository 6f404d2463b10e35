namespace AlliancePipeline.Contracts.Storage;

/// <summary>A key just issued: its full text, shown once and never stored, and its row.</summary>
/// <param name="Key">The whole key (<c>ak_{keyId}_{secret}</c>): give it to its holder now; it cannot be shown again.</param>
/// <param name="Entity">The stored row (the secret's hash, scope, label, dates).</param>
public sealed record IssuedKey(string Key, AccessKeyEntity Entity)
{
    /// <summary>Never the key: a record printed by accident shows only the id.</summary>
    public override string ToString() => $"IssuedKey {{ KeyId = {Entity.RowKey} }}";
}
