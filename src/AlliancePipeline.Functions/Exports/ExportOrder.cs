using System.Runtime.CompilerServices;
using AlliancePipeline.Functions.Reports;

namespace AlliancePipeline.Functions.Exports;

/// <summary>
/// Puts the rows of a study's responses, read in table order, into the export's order (<see cref="ResponseRowLookups.Order"/>:
/// dyad, meeting, role, time) holding as few as that order allows. No I/O.
/// </summary>
/// <remarks>
/// Table order is by <c>RowKey</c>, the assessment id <c>{dyad}-m{meeting}-{role}</c>, and that is not the export's order
/// in general: meeting 10 comes before meeting 2, and the rows of a dyad whose id is another's followed by <c>-m…</c> (or by
/// a character before <c>-</c>) come among or before that one's. So each dyad's rows are held until the read has passed the
/// dyad's last row as the count found it (its last <c>RowKey</c>), then sorted (meeting, role, time; stable, so rows equal in
/// all keep the order read) and handed on once every dyad before it in ordinal order has been. When dyads come in the
/// table in their own order (the usual ids) only the dyad being read is held; rows that come before their turn are held
/// until it, which is correct for every order of ids. Rows of a dyad the count did not see, or of a dyad already handed
/// on, are left out (stored after the count). When the keys are not read in ascending ordinal order (a table service
/// that sorts otherwise) the positions mean nothing, and every row is held and sorted at the end: correct, not flat.
/// </remarks>
public static class ExportOrder
{
    /// <summary>
    /// The rows of <paramref name="scan"/> (each with its <c>RowKey</c>, in table order) in the export's order.
    /// <paramref name="lastKeys"/>: each dyad's last <c>RowKey</c> as counted; <paramref name="ordered"/>: whether the
    /// keys come in ascending ordinal order.
    /// </summary>
    public static async IAsyncEnumerable<ResponseRow> InTurnAsync(IAsyncEnumerable<(string Key, ResponseRow Row)> scan, IReadOnlyDictionary<string, string> lastKeys, bool ordered,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scan);
        ArgumentNullException.ThrowIfNull(lastKeys);
        var dyads = lastKeys.Keys.Order(StringComparer.Ordinal).ToArray();
        var turn = new Dictionary<string, int>(dyads.Length, StringComparer.Ordinal);
        for (var i = 0; i < dyads.Length; i++) turn[dyads[i]] = i;
        var held = new Dictionary<string, List<ResponseRow>>(StringComparer.Ordinal);
        var next = 0;
        await foreach (var (key, row) in scan.WithCancellation(ct).ConfigureAwait(false))
        {
            var dyad = row.Response.DyadId;
            if (!turn.TryGetValue(dyad, out var position) || position < next) continue;
            if (!held.TryGetValue(dyad, out var rows)) held[dyad] = rows = [];
            rows.Add(row);
            // Hand on each dyad in turn whose last row has been read.
            while (ordered && next < dyads.Length && string.CompareOrdinal(key, lastKeys[dyads[next]]) >= 0)
            {
                foreach (var r in HandOn(dyads[next++], held)) yield return r;
            }
        }
        while (next < dyads.Length)
        {
            foreach (var r in HandOn(dyads[next++], held)) yield return r;
        }
    }

    /// <summary>A dyad's held rows (none when it has none) in the export's order, no longer held.</summary>
    private static IEnumerable<ResponseRow> HandOn(string dyad, Dictionary<string, List<ResponseRow>> held) =>
        held.Remove(dyad, out var rows) ? ResponseRowLookups.Order(rows) : [];
}
