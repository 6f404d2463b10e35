using Azure;

namespace AlliancePipeline.Storage.Common;

/// <summary>A <see cref="NullableResponse{T}"/> without a value (e.g. a 404 for "if exists" reads).</summary>
internal sealed class NoValueResponse<T>(Response response) : NullableResponse<T>
{
    public override bool HasValue => false;

    public override T? Value => default;

    public override Response GetRawResponse() => response;
}
