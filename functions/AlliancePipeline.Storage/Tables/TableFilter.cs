namespace AlliancePipeline.Storage.Tables;

/// <summary>
/// Builds OData <c>$filter</c> expressions with literals escaped as the Table service expects: strings quoted with
/// doubled single quotes, <c>datetime'…'</c>, <c>guid'…'</c>, <c>X'…'</c>, <c>…L</c> for Int64.
/// </summary>
public static class TableFilter
{
    /// <summary>
    /// Formats an interpolated filter, escaping each interpolated value as an OData literal of its type, e.g.
    /// <c>TableFilter.Create($"PartitionKey eq {studyId} and Meeting ge {2}")</c>.
    /// </summary>
    public static string Create(FormattableString filter) => throw new NotImplementedException();
}
